import { randomUUID } from 'crypto';

import { activateWorkflow, createWorkflow, PACKAGE, waitForWebhookRoute, webhookUrl, type ApiTarget, type WorkflowNode } from './n8nApi';
import type { RecordingServer } from './recordingServer';

/**
 * A workflow that reports every run to a RecordingServer (through n8n's HTTP Request node), so a test can
 * count how often each event ran: once, never (lost) or twice (doubled). The start node is the Klink Trigger
 * or, as a control, n8n's own Webhook node.
 */
export type StartNode =
	| { kind: 'klink'; parameters: Record<string, unknown>; credentials: Record<string, { id: string; name: string }>; typeVersion?: number }
	| { kind: 'webhook' };

const MARKER = /run-[a-z0-9]+-\d+/g;

/** A marker to put in an event's text; `markersIn` finds it again in whatever the workflow reported. */
export function runMarker(runId: string, index: number): string {
	return `run-${runId}-${index}`;
}

/** The markers each run reported, once per run (a run's item may hold its marker in several fields). */
export function markersIn(recorder: RecordingServer): string[] {
	return recorder.calls.flatMap((call) => [...new Set(JSON.stringify(call.body).match(MARKER) ?? [])]);
}

export async function deployRecordingWorkflow(
	target: ApiTarget,
	name: string,
	start: StartNode,
	recorder: RecordingServer,
	webhookBaseUrl = target.baseUrl,
): Promise<{ workflowId: string; url: string }> {
	const webhookId = randomUUID();
	const startNode: WorkflowNode =
		start.kind === 'klink'
			? { name: 'Start', type: `${PACKAGE}.klinkTrigger`, typeVersion: start.typeVersion ?? 1, webhookId, parameters: start.parameters, credentials: start.credentials }
			: { name: 'Start', type: 'n8n-nodes-base.webhook', typeVersion: 2, webhookId, parameters: { httpMethod: 'POST', path: webhookId, options: {} } };
	const report: WorkflowNode = {
		name: 'Report',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		parameters: { method: 'POST', url: `${recorder.origin}/ran`, sendBody: true, specifyBody: 'json', jsonBody: '={{ JSON.stringify($json) }}', options: {} },
	};
	const workflow = await createWorkflow(target, name, [startNode, report], {
		Start: { main: [[{ node: 'Report', type: 'main', index: 0 }]] },
	});
	await activateWorkflow(target, workflow.id);
	const url = start.kind === 'klink' ? webhookUrl(webhookBaseUrl, webhookId) : `${webhookBaseUrl.replace(/\/$/, '')}/webhook/${webhookId}`;
	await waitForWebhookRoute(url);
	return { workflowId: workflow.id, url };
}
