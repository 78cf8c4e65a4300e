import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { mergeSeenEvents, rememberEvent, type DedupeLimits, type SeenEvents } from '../shared/events/dedupe';

/**
 * Seen-event keys live in this process's memory and are copied to the node's static data, which n8n saves
 * in its database. Memory alone would forget them on a restart; static data alone is not enough because
 * n8n 2.x hands webhooks a cached copy of the workflow whose static data is as old as the activation.
 * Memory is the source of truth while the process lives; after a restart it is refilled from the database.
 */
const seenByNode = new Map<string, SeenEvents>();

export function isDuplicateDelivery(context: IWebhookFunctions, key: string, limits: DedupeLimits): boolean {
	const workflowId = context.getWorkflow().id ?? '';
	const nodeKey = `${workflowId}/${context.getNode().id}`;
	const staticData = context.getWorkflowStaticData('node');
	const seen = mergeSeenEvents(seenByNode.get(nodeKey) ?? {}, staticData.seenEvents as SeenEvents | undefined);
	seenByNode.set(nodeKey, seen);
	const duplicate = rememberEvent(seen, key, Date.now(), limits);
	if (!duplicate) staticData.seenEvents = { ...seen } as IDataObject;
	return duplicate;
}
