import { randomUUID } from 'crypto';

import { activateWorkflow, createWorkflow, PACKAGE, waitForWebhookRoute, webhookBase, type ApiTarget, type WorkflowNode } from './n8nApi';

export const KLINK_NODE = 'Klink';

/** Items the workflow's Webhook receives as `{ items: [...] }` and splits into one item each. */
export interface MessageInput {
	content: unknown;
	senderId?: unknown;
	senderName?: unknown;
	conversationId?: unknown;
	messageId?: unknown;
}

/**
 * Webhook (waits for the last node) → Split Out → `sender`. Posting `{ items: [...] }` to the URL runs the
 * sender on each item and answers, with `responseData: 'allEntries'`, with the sender's output.
 */
export async function deploySplitOutWorkflow(
	target: ApiTarget,
	name: string,
	sender: Omit<WorkflowNode, 'name'> & { name?: string },
	responseData: 'allEntries' | 'noData' = 'allEntries',
): Promise<{ workflowId: string; url: string }> {
	const path = `send-${randomUUID()}`;
	const senderName = sender.name ?? 'Sender';
	const workflow = await createWorkflow(
		target,
		name,
		[
			{
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				webhookId: randomUUID(),
				parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData, options: {} },
			},
			{
				name: 'Split Out',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				parameters: { fieldToSplitOut: 'body.items', options: {} },
			},
			{ ...sender, name: senderName },
		],
		{
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: senderName, type: 'main', index: 0 }]] },
		},
	);
	await activateWorkflow(target, workflow.id);
	const url = new URL(`/webhook/${path}`, webhookBase(target)).toString();
	// An empty list runs nothing past Split Out, so the probe sends no message.
	await waitForWebhookRoute(url, { body: '{"items":[]}', contentType: 'application/json' });
	return { workflowId: workflow.id, url };
}

/** The Klink node fed from the posted items, as the e2e suite uses it. */
export async function deployActionWorkflow(
	target: ApiTarget,
	name: string,
	credential: { id: string; name: string },
	settings: { onError?: 'stopWorkflow' | 'continueRegularOutput'; options?: Record<string, unknown> } = {},
): Promise<{ workflowId: string; url: string }> {
	return await deploySplitOutWorkflow(target, name, {
		name: KLINK_NODE,
		type: `${PACKAGE}.klink`,
		typeVersion: 1,
		...(settings.onError ? { onError: settings.onError } : {}),
		parameters: {
			resource: 'message',
			operation: 'send',
			content: '={{ $json.content }}',
			senderId: '={{ $json.senderId }}',
			senderName: '={{ $json.senderName }}',
			conversationId: '={{ $json.conversationId ?? "" }}',
			messageId: '={{ $json.messageId ?? "" }}',
			options: settings.options ?? {},
		},
		credentials: { klinkCustomChannelApi: credential },
	});
}

export async function sendItems(url: string, items: MessageInput[]): Promise<{ status: number; body: unknown }> {
	const response = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ items }),
	});
	const text = await response.text();
	let body: unknown = text;
	try {
		body = JSON.parse(text);
	} catch {
		// not JSON: the raw text is what the test looks at
	}
	return { status: response.status, body };
}
