import { readState } from './e2eState';
import type { ApiTarget } from './n8nApi';

/**
 * What the editor's "Execute step" / "Listen for test event" button does, through n8n's REST API with the
 * owner's session: n8n registers the workflow's test webhook, which serves one request and then runs the
 * workflow in manual mode. The request bodies differ: 1.x sends the whole workflow, 2.x reads it from the
 * database and wants the destination as an object.
 */
export async function listenForTestEvent(target: ApiTarget, workflowId: string, triggerName: string): Promise<void> {
	const { cookie } = readState();
	const headers = { cookie, 'browser-id': 'klink-e2e', 'content-type': 'application/json' };
	const rest = (path: string) => new URL(`/rest${path}`, target.baseUrl);
	let body: Record<string, unknown>;
	if (target.major === 1) {
		const response = await fetch(rest(`/workflows/${workflowId}`), { headers });
		if (!response.ok) throw new Error(`GET workflow ${workflowId}: ${response.status} ${await response.text()}`);
		const workflowData = ((await response.json()) as { data: unknown }).data;
		body = { workflowData, triggerToStartFrom: { name: triggerName } };
	} else {
		body = { triggerToStartFrom: { name: triggerName }, destinationNode: { nodeName: triggerName, mode: 'inclusive' } };
	}
	const response = await fetch(rest(`/workflows/${workflowId}/run`), { method: 'POST', headers, body: JSON.stringify(body) });
	const text = await response.text();
	if (!response.ok || !text.includes('"waitingForWebhook":true')) {
		throw new Error(`listening for a test event on ${workflowId} failed: ${response.status} ${text.slice(0, 300)}`);
	}
}

/** The Test URL n8n shows for a trigger with `webhookId`, on a base and test endpoint name of n8n's settings. */
export function testWebhookUrl(baseUrl: string, webhookId: string, endpoint = 'webhook-test'): string {
	return new URL(`/${endpoint}/${webhookId}/klink`, baseUrl).toString();
}
