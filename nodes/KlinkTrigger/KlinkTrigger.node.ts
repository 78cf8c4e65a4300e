import {
	NodeConnectionTypes,
	type ICredentialsDecrypted,
	type ICredentialTestFunctions,
	type IHookFunctions,
	type INodeCredentialTestResult,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { authenticationProperties } from './descriptions/authentication.description';
import { eventsProperty } from './descriptions/events.description';
import { filtersProperty } from './descriptions/filters.description';
import { optionsProperty } from './descriptions/options.description';
import { handleKlinkWebhook } from './handleKlinkWebhook';
import { forgetActivation, isActivationRecorded, recordActivation, warnAtActivation } from './activation';

export const WEBHOOK_PATH = 'klink';

export class KlinkTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Klink Trigger',
		name: 'klinkTrigger',
		icon: { light: 'file:../../icons/klink.svg', dark: 'file:../../icons/klink.dark.svg' },
		group: ['trigger'],
		// 1.1: Answer klink.cloud defaults to When the Execution Is Stored.
		version: [1, 1.1],
		subtitle: '={{$parameter["events"].join(", ")}}',
		description:
			'Starts the workflow when klink.cloud sends a webhook: new or sent messages, contacts and conversations, verified and filtered before anything runs',
		// A full URL is used by n8n as it is; from the codex n8n appends tracking parameters after the anchor.
		documentationUrl: 'https://www.npmjs.com/package/n8n-nodes-klink#klink-trigger',
		defaults: { name: 'Klink Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'klinkSignatureApi',
				required: true,
				testedBy: 'klinkSignatureApiTest',
				displayOptions: { show: { authentication: ['klinkSignature'] } },
			},
			{
				name: 'klinkHeaderAuthApi',
				required: true,
				testedBy: 'klinkHeaderAuthApiTest',
				displayOptions: { show: { authentication: ['headerAuth'] } },
			},
			{
				name: 'klinkBasicAuthApi',
				required: true,
				testedBy: 'klinkBasicAuthApiTest',
				displayOptions: { show: { authentication: ['basicAuth'] } },
			},
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				// Empty, so that when n8n answers (Answer klink.cloud: When the Execution Is Stored) it sends the
				// trigger's own answer; left out, n8n would send the literal text "firstEntryJson".
				responseData: '',
				path: WEBHOOK_PATH,
			},
		],
		// n8n's default help here says "go to Klink and make an event happen": say which URL and what a test does.
		triggerPanel: {
			executionsHelp: {
				inactive:
					"<b>While building your workflow</b>, click 'Execute step', copy the <b>Test URL</b> into klink.cloud and send an event. It shows up in this editor; a request the trigger refuses or filters out shows up as an item that says why. Test events are never remembered as seen.<br /><br /><b>Once you're happy with your workflow</b>, put the <b>Production URL</b> into klink.cloud and activate the workflow (n8n 1.x) or publish it (n8n 2.x). Its executions show up in the executions list, not in this editor. klink.cloud must reach the URL from the internet: set WEBHOOK_URL (n8n 1.x) or N8N_WEBHOOK_URL (n8n 2.x) to the public address of this n8n.",
				active:
					"<b>While building your workflow</b>, click 'Execute step', copy the <b>Test URL</b> into klink.cloud and send an event. It shows up in this editor; a request the trigger refuses or filters out shows up as an item that says why.<br /><br /><b>Your workflow also runs automatically</b>, since it is active (n8n 1.x) or published (n8n 2.x): every event klink.cloud sends to the <b>Production URL</b> runs it. Those executions show up in the executions list, not in this editor.",
			},
		},
		properties: [
			{
				displayName:
					'Copy the Production URL (Webhook URLs above → Production URL) into klink.cloud: Settings → Developer Tools → your app → Event notification endpoint URL, or the Outbound Webhook of a Custom Channel. Then activate the workflow (n8n 1.x) or publish it (n8n 2.x). To try it first, click Execute step and send an event to the Test URL.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName:
					'This is version 1 of the Klink Trigger. On n8n 2.x, n8n evaluates an expression for every request to a version 1 trigger, which takes one of its expression isolates even with N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true, so under load it answers klink.cloud more slowly. Replace it with a new Klink Trigger (version 1.1) with the same settings.',
				name: 'versionOneNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { '@version': [1] } },
			},
			...authenticationProperties,
			eventsProperty,
			filtersProperty,
			optionsProperty,
		],
	};

	methods = {
		credentialTest: {
			async klinkSignatureApiTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				// klink has no API to check a secret against; a secret can only be proved by a signed event.
				const secret = String(credential.data?.signatureSecret ?? '');
				if (secret.trim() === '') return { status: 'Error', message: 'The signature secret is empty' };
				if (secret !== secret.trim()) {
					return { status: 'Error', message: 'The signature secret starts or ends with white space' };
				}
				return { status: 'OK', message: 'Secret saved; it is proved by the first signed event klink sends' };
			},
			async klinkHeaderAuthApiTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const name = String(credential.data?.name ?? '');
				if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
					return { status: 'Error', message: 'The header name is not a valid HTTP header name' };
				}
				if (String(credential.data?.value ?? '') === '') {
					return { status: 'Error', message: 'The header value is empty' };
				}
				return { status: 'OK', message: 'Header saved' };
			},
			async klinkBasicAuthApiTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				if (String(credential.data?.user ?? '') === '') {
					return { status: 'Error', message: 'The user is empty' };
				}
				return { status: 'OK', message: 'User and password saved' };
			},
		},
	};

	// klink has no API to register webhooks (the URL is pasted into klink by hand), so these hooks keep a
	// record of the activation and warn when the URL n8n gives out cannot be reached from the internet.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				warnAtActivation(this);
				return isActivationRecorded(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				recordActivation(this);
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				forgetActivation(this);
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await handleKlinkWebhook(this);
	}
}
