import { randomUUID } from 'crypto';

import { signKlinkRequest } from '../nodes/shared/signature/verifySignature';
import { messageInbound } from '../test/e2e/harness/klinkEvents';
import { activateWorkflow, api, createCredential, createWorkflow, PACKAGE, waitForWebhookRoute, webhookUrl, type ApiTarget } from '../test/e2e/harness/n8nApi';

/** What the trigger benchmarks deploy and send: Klink Trigger, n8n's Webhook node and the bare trigger. */
export const SECRET = 'bench-signature-secret';
export const HEADER = { name: 'x-bench-auth', value: 'bench-header-value' };

export type BenchRequest = { url: string; body: string; headers: Record<string, string> };

export async function deploy(target: ApiTarget, name: string, node: Record<string, unknown>, staticData?: Record<string, unknown>): Promise<string> {
	const workflow = await createWorkflow(target, name, [node as never], {}, staticData ? { staticData } : {});
	await activateWorkflow(target, workflow.id);
	return workflow.id;
}

/**
 * A new signed event for each call, signed for `url` (the Production URL, as klink signs it) and posted to
 * `postTo` (default `url`; in queue mode another front or a webhook process's own port).
 */
export function signedKlinkRequest(url: string, channel: string, postTo = url): () => BenchRequest {
	return () => {
		const body = JSON.stringify(messageInbound({ channel, unreadCount: 2 }));
		return { url: postTo, body, headers: { 'x-signature': signKlinkRequest({ secret: SECRET, method: 'POST', url, rawQuery: '', rawBody: Buffer.from(body) }) } };
	};
}

/**
 * Klink Trigger as the benchmarks run it: version 1.1 (what a newly added trigger is), signature (or no) auth,
 * filters that the events pass, dedupe on, and by default answering where the bare floor answers (Answer
 * klink.cloud: Immediately). With When the Execution Is Stored (`answerWhen: 'stored'`, version 1.1's default),
 * n8n 2.x answers only after storing the execution (and queueing it, in queue mode), which the bare floor does
 * not wait for.
 */
export function klinkTriggerNode(
	webhookId: string,
	authentication: string,
	credentials: Record<string, { id: string; name: string }> = {},
	answerWhen: 'immediately' | 'stored' = 'immediately',
) {
	return {
		name: 'Klink Trigger',
		type: `${PACKAGE}.klinkTrigger`,
		typeVersion: 1.1,
		webhookId,
		parameters: {
			authentication,
			events: ['message.inbound'],
			filters: { channels: ['whatsapp'], minUnreadCount: 1, direction: 'incoming' },
			options: { deduplicate: true, answerWhen },
		},
		credentials,
	};
}

/** n8n's Webhook node as the benchmarks compare it: POST, header auth, answering on receipt. */
export function webhookNode(path: string, header: { id: string; name: string }) {
	return {
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		webhookId: randomUUID(),
		parameters: { httpMethod: 'POST', path, authentication: 'headerAuth', responseMode: 'onReceived', options: {} },
		credentials: { httpHeaderAuth: header },
	};
}

/** A new event for each call, with the Webhook node's auth header, posted to `url`. */
export function webhookNodeRequest(url: string): () => BenchRequest {
	return () => ({ url, body: JSON.stringify(messageInbound()), headers: { [HEADER.name]: HEADER.value } });
}

export async function newestExecution(target: ApiTarget, workflowId: string): Promise<{ id: string; status: string } | undefined> {
	const page = await api<{ data: Array<{ id: string; status: string }> }>(target, 'GET', `/executions?workflowId=${workflowId}&limit=1`);
	return page.data[0];
}

export interface DeployedTrigger {
	label: string;
	workflowId: string;
	url: string;
	request: () => BenchRequest;
}

/** A Klink Trigger (signature, filters, dedupe) whose events all start an execution, answering as `answerWhen` says. */
export async function deployKlinkTrigger(
	target: ApiTarget,
	signature: { id: string; name: string },
	answerWhen: 'immediately' | 'stored',
): Promise<DeployedTrigger> {
	const hook = randomUUID();
	const workflowId = await deploy(target, `bench klink (${answerWhen})`, klinkTriggerNode(hook, 'klinkSignature', { klinkSignatureApi: signature }, answerWhen));
	const url = webhookUrl(target.baseUrl, hook);
	await waitForWebhookRoute(url);
	const label = answerWhen === 'immediately' ? 'Klink Trigger' : 'Klink Trigger, answer when stored';
	return { label, workflowId, url, request: signedKlinkRequest(url, 'whatsapp') };
}

/**
 * The three triggers compared on one instance: Klink Trigger (signature, filters, dedupe), n8n's Webhook node
 * with header auth answering on receipt, and the bare community trigger that checks nothing.
 */
export async function deployTriggerTrio(target: ApiTarget): Promise<{ klink: DeployedTrigger; webhook: DeployedTrigger; bare: DeployedTrigger; signature: { id: string; name: string } }> {
	const signature = await createCredential(target, 'klinkSignatureApi', { signatureSecret: SECRET });
	const header = await createCredential(target, 'httpHeaderAuth', HEADER);
	const bareHook = randomUUID();
	const webhookPath = `bench-${randomUUID()}`;
	const klink = await deployKlinkTrigger(target, signature, 'immediately');
	const webhookId = await deploy(target, 'bench webhook', webhookNode(webhookPath, header));
	const bareId = await deploy(target, 'bench bare', {
		name: 'Bare Trigger',
		type: 'n8n-nodes-klink-bench-floor.bareTrigger',
		typeVersion: 1,
		webhookId: bareHook,
		parameters: {},
	});
	const bareUrl = webhookUrl(target.baseUrl, bareHook, 'bare');
	const webhookNodeUrl = new URL(`/webhook/${webhookPath}`, target.baseUrl).toString();
	await waitForWebhookRoute(bareUrl, { body: '{}', contentType: 'application/json' });
	await waitForWebhookRoute(webhookNodeUrl, { body: '{}', contentType: 'application/json' });
	return {
		signature,
		klink,
		webhook: {
			label: 'n8n Webhook node (header auth)',
			workflowId: webhookId,
			url: webhookNodeUrl,
			request: webhookNodeRequest(webhookNodeUrl),
		},
		bare: { label: 'bare community trigger', workflowId: bareId, url: bareUrl, request: () => ({ url: bareUrl, body: JSON.stringify(messageInbound()), headers: {} }) },
	};
}
