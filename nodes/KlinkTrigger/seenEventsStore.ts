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
 * - An event counts as started only once n8n has answered its request with a 2xx. n8n 2.x answers after it
 *   has stored the execution (and queued it, in queue mode); when that fails it answers 500, and the event is
 *   forgotten so that klink's retry starts it. Until then the event is in memory only (a retry arriving
 *   meanwhile is still turned away) and kept out of the saved copy.
 * - Events never change static data on their own request: n8n 2.x would not save it there (it resets its
 *   change flag while it starts the execution), and writing the whole record per event would make each event
 *   cost as much as the record is large. Instead a flush request, posted to this trigger's own URL at most once
 *   a second, changes the copy and starts nothing, and n8n saves it after that request.
 */
export const SAVE_INTERVAL_MS = 1000;
export const FLUSH_HEADER = 'x-klink-dedupe-flush';
const FLUSH_TOKEN_TTL_MS = 60_000;
const STATIC_DATA_KEY = 'seenRecord';
/** The format before version 2: { key: first seen (epoch ms) }. Read once, then replaced. */
const LEGACY_STATIC_DATA_KEY = 'seenEvents';

interface NodeDedupe {
	record: SeenEventRecord;
	/** Started here and not yet answered 2xx by n8n: in memory, not in the saved copy. */
	unconfirmed: Set<string>;
	/** The `rev` of the stored copy last merged, so an unchanged copy is not merged again. */
	knownRev?: string;
	/** The `rev` this process last wrote: a stored copy with another one means that write was lost or overtaken. */
	writtenRev?: string;
	unsaved: boolean;
	flushScheduled: boolean;
	lastFlushAt: number;
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
		state = { record: new SeenEventRecord(limits), unconfirmed: new Set(), unsaved: false, flushScheduled: false, lastFlushAt: 0 };
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
	staticData[STATIC_DATA_KEY] = { rev, ...state.record.toStored(now, state.unconfirmed) } as unknown as IDataObject;
	delete staticData[LEGACY_STATIC_DATA_KEY];
	state.knownRev = rev;
	state.writtenRev = rev;
	state.unsaved = false;
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

/** Posts a flush request to this trigger's own URL, at most once a second. */
function requestSave(context: IWebhookFunctions, state: NodeDedupe): void {
	state.unsaved = true;
	const url = context.getNodeWebhookUrl('default');
	if (state.flushScheduled || !url) return;
	state.flushScheduled = true;
	const id = nodeKey(context);
	void sleep(Math.max(0, state.lastFlushAt + SAVE_INTERVAL_MS - Date.now()))
		.then(async () => {
			state.flushScheduled = false;
			// Saved meanwhile by an earlier flush: no request needed.
			if (!state.unsaved) return;
			state.lastFlushAt = Date.now();
			await context.helpers.httpRequest({
				method: 'POST',
				url,
				headers: { [FLUSH_HEADER]: flushToken(id, state.lastFlushAt) },
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

/** Confirms the event once n8n has answered 2xx; forgets it when n8n could not start the run. */
function settleWithAnswer(context: IWebhookFunctions, state: NodeDedupe, digest: string): void {
	const response = context.getResponseObject();
	state.unconfirmed.add(digest);
	let settled = false;
	const settle = (started: boolean) => {
		if (settled) return;
		settled = true;
		state.unconfirmed.delete(digest);
		if (started) requestSave(context, state);
		else state.record.remove(digest);
	};
	// A sender that hung up before the answer did not see it, but n8n went on starting the run.
	response.once('finish', () => settle(response.statusCode < 300));
	response.once('close', () => settle(true));
}

/**
 * Checks `key` against the record and records it. Returns true for a retry of an event already started.
 * Test requests (the editor's Test URL) neither read nor change the production record.
 */
export function isDuplicateDelivery(context: IWebhookFunctions, key: string, limits: SeenRecordLimits): boolean {
	if (context.getMode() === 'manual') return false;
	const now = Date.now();
	const state = stateOf(context, limits);
	if (mergeStored(state, context.getWorkflowStaticData('node'), now)) requestSave(context, state);
	const digest = eventDigest(key);
	if (!state.record.add(digest, now)) return true;
	settleWithAnswer(context, state, digest);
	return false;
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
