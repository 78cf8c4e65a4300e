import { randomUUID } from 'crypto';

import { activateWorkflow, createWorkflow, PACKAGE, waitForWebhookRoute, webhookBase, webhookUrl, type ApiTarget } from './n8nApi';
import { sleepMs } from './n8nInstance';

export const TRIGGER_NAME = 'Klink Trigger';

/** Creates and activates a workflow whose only node is a Klink Trigger; returns its production URL. */
export async function deployTrigger(
	target: ApiTarget,
	name: string,
	parameters: Record<string, unknown>,
	credentials: Record<string, { id: string; name: string }> = {},
	typeVersion = 1,
): Promise<{ workflowId: string; url: string; webhookId: string }> {
	const webhookId = randomUUID();
	const workflow = await createWorkflow(target, name, [
		{ name: TRIGGER_NAME, type: `${PACKAGE}.klinkTrigger`, typeVersion, webhookId, parameters, credentials },
	]);
	await activateWorkflow(target, workflow.id);
	const url = webhookUrl(webhookBase(target), webhookId);
	await waitForWebhookRoute(url);
	return { workflowId: workflow.id, url, webhookId };
}

export interface PostResult {
	status: number;
	body: string;
	ms: number;
}

export async function postRaw(url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<PostResult> {
	const started = performance.now();
	const response = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body,
	});
	const text = await response.text();
	return { status: response.status, body: text, ms: performance.now() - started };
}

/**
 * A POST sent once more, 3 s later, if it was answered 5xx (nginx's 502 included), as klink.cloud sends a failed
 * attempt again. The first answer is logged, so that a run shows when a retry was needed and what failed.
 */
export async function postRetriedOn5xx(url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<PostResult> {
	const first = await postRaw(url, body, headers);
	if (first.status < 500) return first;
	console.log(`POST ${url} answered ${first.status} (${first.body.slice(0, 120)}): sent again after 3 s, as klink does`);
	await sleepMs(3000);
	return await postRaw(url, body, headers);
}
