import { createHmac, randomBytes, timingSafeEqual } from 'crypto';
import { sleep, type IDataObject, type IWebhookFunctions, type IWebhookResponseData } from 'n8n-workflow';

import { eventDigest, SeenEventRecord, type SeenRecordLimits } from '../shared/events/seenRecord';

/**
 * Where the record of started events lives, and when n8n is asked to save it.
 *
 * This process's memory holds the record and answers every check. The node's static data holds a copy, which
 * n8n loads with the workflow on every request and saves, as one whole column, after `webhook()` when it was
 * changed: that copy is what survives a restart and what other n8n processes read.
 *
 * Writing the whole record on every event would make each event cost as much as the record is large, so the
 * copy is changed at most once a second per trigger: an event a second or more after the last save changes it
 * on its own request; events in between are saved by a flush request that the trigger posts to its own URL once
 * the second is over (n8n saves static data only after a request). The flush request starts nothing.
 */
export const SAVE_INTERVAL_MS = 1000;
export const FLUSH_HEADER = 'x-klink-dedupe-flush';
const FLUSH_TOKEN_TTL_MS = 60_000;
const STATIC_DATA_KEY = 'seenRecord';
/** The format before version 2: { key: first seen (epoch ms) }. Read once, then replaced. */
const LEGACY_STATIC_DATA_KEY = 'seenEvents';

interface NodeDedupe {
	record: SeenEventRecord;
	/** The `rev` of the stored copy last merged, so an unchanged copy is not merged again. */
	knownRev?: string;
	/** The `rev` this process last wrote: a stored copy with another one means that write was lost or overtaken. */
	writtenRev?: string;
	unsaved: boolean;
	flushScheduled: boolean;
	lastSaveAt: number;
	flushFailureLogged?: boolean;
}

const byNode = new Map<string, NodeDedupe>();
/** Proves a flush request came from this process: it is never stored and dies with the process. */
const processKey = randomBytes(32);
const processId = randomBytes(6).toString('base64url');
let revision = 0;

function nodeKey(context: IWebhookFunctions): string {
	return `${context.getWorkflow().id ?? ''}/${context.getNode().id}`;
}

function stateOf(context: IWebhookFunctions, limits: SeenRecordLimits): NodeDedupe {
	const key = nodeKey(context);
	let state = byNode.get(key);
	if (!state) {
		state = { record: new SeenEventRecord(limits), unsaved: false, flushScheduled: false, lastSaveAt: 0 };
		byNode.set(key, state);
	}
	return state;
}

/** Brings in what the stored copy knows and memory does not (after a restart, or another process's write). */
function mergeStored(state: NodeDedupe, staticData: IDataObject, now: number): boolean {
	let changed = false;
	const stored = staticData[STATIC_DATA_KEY] as { rev?: string } | undefined;
	if (stored && stored.rev !== state.knownRev) {
		state.record.merge(stored, now);
		state.knownRev = stored.rev;
		if (state.writtenRev !== undefined && stored.rev !== state.writtenRev) changed = true;
	}
	const legacy = staticData[LEGACY_STATIC_DATA_KEY] as Record<string, unknown> | undefined;
	if (legacy && typeof legacy === 'object') {
		for (const [key, seenAt] of Object.entries(legacy)) {
			if (typeof seenAt === 'number' && seenAt <= now) state.record.addAt(eventDigest(key), seenAt, now);
		}
		changed = true;
	}
	return changed;
}

/** Changes the node's static data, so that n8n saves the record once `webhook()` returns. */
function writeRecord(state: NodeDedupe, staticData: IDataObject, now: number): void {
	const rev = `${processId}.${++revision}`;
	staticData[STATIC_DATA_KEY] = { rev, ...state.record.toStored(now) } as unknown as IDataObject;
	delete staticData[LEGACY_STATIC_DATA_KEY];
	state.knownRev = rev;
	state.writtenRev = rev;
	state.unsaved = false;
	state.lastSaveAt = now;
}

function flushToken(nodeId: string, issuedAt: number): string {
	const mac = createHmac('sha256', processKey).update(`${nodeId}|${issuedAt}`).digest('base64url');
	return `${issuedAt}.${mac}`;
}

function isValidFlushToken(nodeId: string, token: string, now: number): boolean {
	const issuedAt = Number(token.split('.')[0]);
	if (!Number.isSafeInteger(issuedAt) || Math.abs(now - issuedAt) > FLUSH_TOKEN_TTL_MS) return false;
	const expected = Buffer.from(flushToken(nodeId, issuedAt));
	const given = Buffer.from(token);
	return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Saves on this request if the last save is a second old or more; otherwise posts a flush request then. */
function requestSave(context: IWebhookFunctions, state: NodeDedupe, staticData: IDataObject, now: number): void {
	state.unsaved = true;
	if (now - state.lastSaveAt >= SAVE_INTERVAL_MS) {
		writeRecord(state, staticData, now);
		return;
	}
	const url = context.getNodeWebhookUrl('default');
	if (state.flushScheduled || !url) return;
	state.flushScheduled = true;
	const id = nodeKey(context);
	void sleep(state.lastSaveAt + SAVE_INTERVAL_MS - now)
		.then(async () => {
			state.flushScheduled = false;
			// Saved meanwhile by a later event: no request needed.
			if (!state.unsaved) return;
			await context.helpers.httpRequest({
				method: 'POST',
				url,
				headers: { [FLUSH_HEADER]: flushToken(id, Date.now()) },
				body: {},
				json: true,
			});
		})
		.catch((error: Error) => {
			if (state.flushFailureLogged) return;
			state.flushFailureLogged = true;
			context.logger.warn(
				`Klink Trigger "${context.getNode().name}": could not reach its own URL to save the dedupe record ` +
					`(${error.message}); the record is saved with a later event instead`,
			);
		});
}

/**
 * Checks `key` against the record and records it. Returns true for a retry of an event already started.
 * For production requests only: the caller keeps test requests (the editor's Test URL) away from the record.
 */
export function isDuplicateDelivery(context: IWebhookFunctions, key: string, limits: SeenRecordLimits): boolean {
	const now = Date.now();
	const state = stateOf(context, limits);
	const staticData = context.getWorkflowStaticData('node');
	const storedIsBehind = mergeStored(state, staticData, now);
	const duplicate = !state.record.add(eventDigest(key), now);
	if (!duplicate || storedIsBehind) requestSave(context, state, staticData, now);
	return duplicate;
}

/**
 * Answers a flush request this process sent to itself: saves the record and starts nothing. Returns undefined
 * for any other request (which then goes through the usual checks).
 */
export function answerFlushRequest(context: IWebhookFunctions): IWebhookResponseData | undefined {
	const token = (context.getHeaderData() as Record<string, unknown>)[FLUSH_HEADER];
	if (typeof token !== 'string' || context.getMode() === 'manual') return undefined;
	const now = Date.now();
	const valid = isValidFlushToken(nodeKey(context), token, now);
	const state = byNode.get(nodeKey(context));
	if (valid && state?.unsaved) {
		const staticData = context.getWorkflowStaticData('node');
		mergeStored(state, staticData, now);
		writeRecord(state, staticData, now);
	}
	context.getResponseObject().status(valid ? 204 : 401).end();
	return { noWebhookResponse: true };
}
