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
import { forgetActivation, isActivationRecorded, recordActivation } from './activation';

export const WEBHOOK_PATH = 'klink';

export class KlinkTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Klink Trigger',
		name: 'klinkTrigger',
		icon: { light: 'file:../../icons/klink.svg', dark: 'file:../../icons/klink.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["events"].join(", ")}}',
		description:
			'Starts the workflow when klink.cloud sends a webhook: new or sent messages, contacts and conversations, verified and filtered before anything runs',
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
				path: WEBHOOK_PATH,
			},
		],
		properties: [
			{
				displayName:
					'Copy the Production URL above into klink.cloud: Settings → Developer Tools → your app → Event notification endpoint URL, or the Outbound Webhook of a Custom Channel. Then activate this workflow.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
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
