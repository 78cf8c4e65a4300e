import { createHash, createHmac, randomBytes, timingSafeEqual } from 'crypto';
import { sleep, type IDataObject, type IWebhookFunctions, type IWebhookResponseData } from 'n8n-workflow';

import {
	claimedElsewhere,
	CLAIM_TTL_MS,
	readClaims,
	sameClaims,
	updateClaims,
	type Claim,
	type ClaimChanges,
	type StoredClaim,
} from '../shared/events/deliveryClaims';
import {
	eventDigest,
	SeenEventRecord,
	storedDigests,
	storedRecordHas,
	storedRecordOf,
	type SeenRecordLimits,
} from '../shared/events/seenRecord';

/**
 * Where the record of started events lives, and when it is saved. The design, and what it cannot promise, is
 * in the README ("Retried deliveries"); in short:
 *
 * - An event counts as started only once n8n has answered klink with a 2xx. On n8n 2.x that answer comes after
 *   the execution is stored (and, in queue mode, queued); on 1.x it comes where n8n answers its own Webhook
 *   node. A delivery that failed, or whose answer never went out (n8n killed), is not recorded, so klink's
 *   retry runs it.
 * - This process's memory holds the record and answers every check. The node's static data holds a copy,
 *   which n8n loads with the workflow on every request in every process: that copy is what survives a
 *   restart and what other webhook processes learn from.
 * - n8n saves static data only after a request, as one whole column with no lock. So the copy is written by a
 *   flush request that the trigger posts to its own production URL at most once a second, carrying the new
 *   digests. Whichever process the load balancer gives it to merges them with the stored copy and saves; n8n
 *   answers the flush only after saving. A second flush checks the digests are still there (a concurrent
 *   writer may have overwritten them) and writes them again if not.
 * - Deliveries being started are claims in the stored copy, so that a retry another process takes while the
 *   first delivery waits for n8n's answer is not started twice (nodes/shared/events/deliveryClaims.ts).
 * - A workflow whose other nodes use static data gets no copy at all (see keepStoredCopy).
 */
export const SAVE_INTERVAL_MS = 1000;
/** How long after a flush its digests are checked in the stored copy. */
export const VERIFY_DELAY_MS = 2000;
/** Digests not found stored after this long are given up on (the record is rewritten by later flushes). */
const VERIFY_GIVE_UP_MS = 60_000;
export const FLUSH_HEADER = 'x-klink-dedupe-flush';
const FLUSH_TOKEN_TTL_MS = 60_000;
const STATIC_DATA_KEY = 'seenRecord';
/** The format before version 2: { key: first seen (epoch ms) }. Read once, then replaced. */
const LEGACY_STATIC_DATA_KEY = 'seenEvents';

interface NodeDedupe {
	record: SeenEventRecord;
	/** The `rev` of the stored copy last merged, so an unchanged copy is not merged again. */
	knownRev?: string;
	/** Started events (digest → when) not yet sent to the stored copy. */
	unsaved: Map<string, number>;
	/** Sent by a flush that saved them; kept until a later flush finds them in the stored copy. */
	unverified: Map<string, number>;
	/** Deliveries being started: the outcome is whether n8n answered them with a 2xx. */
	inFlight: Map<string, Promise<boolean>>;
	/** The claims of the stored copy as last read (see deliveryClaims). */
	storedClaims: Map<string, Claim>;
	/** This process's deliveries being started, not yet sent as claims: digest → until. */
	claimsToSend: Map<string, number>;
	/** Claims sent and still held: a delivery that then fails to start releases its claim. */
	sentClaims: Set<string>;
	/** Claims to remove from the stored copy: their deliveries failed to start. */
	releasesToSend: Set<string>;
	/** The stored copy lost the record (or is in the old format): the next flush writes all of memory. */
	rewrite: boolean;
	flushScheduled: boolean;
	lastFlushAt: number;
	failedFlushes: number;
	/** Whether the record is copied to static data; false while other nodes of the workflow use static data. */
	keepsStoredCopy: boolean;
}

const byNode = new Map<string, NodeDedupe>();
const processId = randomBytes(6).toString('base64url');
let revision = 0;

function nodeKey(context: IWebhookFunctions): string {
	return `${context.getWorkflow().id ?? ''}/${context.getNode().id}`;
}

function stateOf(context: IWebhookFunctions, limits: SeenRecordLimits): NodeDedupe {
	const key = nodeKey(context);
	let state = byNode.get(key);
	if (!state) {
		state = {
			record: new SeenEventRecord(limits),
			unsaved: new Map(),
			unverified: new Map(),
			inFlight: new Map(),
			storedClaims: new Map(),
			claimsToSend: new Map(),
			sentClaims: new Set(),
			releasesToSend: new Set(),
			rewrite: false,
			flushScheduled: false,
			lastFlushAt: 0,
			failedFlushes: 0,
			keepsStoredCopy: true,
		};
		byNode.set(key, state);
	}
	return state;
}

/** Brings in what the stored copy knows and memory does not: after a restart, or another process's write. */
function syncWithStored(state: NodeDedupe, staticData: IDataObject, now: number): void {
	const stored = staticData[STATIC_DATA_KEY] as { rev?: string; claims?: unknown } | undefined;
	if (stored && stored.rev !== state.knownRev) {
		state.record.mergeStoredCopy(stored, now);
		state.knownRev = stored.rev;
		state.storedClaims = readClaims(stored.claims, now);
	}
	if (!stored) state.storedClaims.clear();
	// A run that saved the workflow's static data from its own copy can erase the record (n8n 2.x workers
	// start runs with empty static data): memory still has it, so it is written back.
	if (!stored && state.record.size > 0) state.rewrite = true;
	const legacy = staticData[LEGACY_STATIC_DATA_KEY] as Record<string, unknown> | undefined;
	if (legacy && typeof legacy === 'object') {
		for (const [key, seenAt] of Object.entries(legacy)) {
			if (typeof seenAt === 'number' && seenAt <= now) state.record.addAt(eventDigest(key), seenAt, now);
		}
		state.rewrite = true;
	}
}

function writeRecord(state: NodeDedupe, staticData: IDataObject, now: number, claims: StoredClaim[]): void {
	const rev = `${processId}.${++revision}`;
	staticData[STATIC_DATA_KEY] = { rev, ...state.record.toStored(now), ...(claims.length > 0 ? { claims } : {}) } as unknown as IDataObject;
	delete staticData[LEGACY_STATIC_DATA_KEY];
	state.knownRev = rev;
	state.storedClaims = readClaims(claims, now);
	for (const [digest, seenAt] of state.unsaved) state.unverified.set(digest, seenAt);
	state.unsaved.clear();
	state.rewrite = false;
}

/**
 * The key that proves a flush request came from one of this workflow's n8n processes. Processes share no
 * secret of n8n's that a node can read, so it is derived from the trigger's own credential (and ids only the
 * workflow knows); with authentication None anyone who can reach the URL can already start the workflow.
 */
export function flushKey(context: IWebhookFunctions, credentialSecret: string): Buffer {
	const node = context.getNode();
	return createHash('sha256')
		.update(`klink-dedupe-flush|${context.getWorkflow().id ?? ''}|${node.id}|${node.webhookId ?? ''}|${credentialSecret}`)
		.digest();
}

function flushToken(key: Buffer, issuedAt: number, body: string): string {
	return `${issuedAt}.${createHmac('sha256', key).update(`${issuedAt}|${body}`).digest('base64url')}`;
}

function isValidFlushToken(key: Buffer, token: string, body: Buffer, now: number): boolean {
	const issuedAt = Number(token.split('.')[0]);
	if (!Number.isSafeInteger(issuedAt) || Math.abs(now - issuedAt) > FLUSH_TOKEN_TTL_MS) return false;
	const expected = Buffer.from(flushToken(key, issuedAt, body.toString('utf8')));
	const given = Buffer.from(token);
	return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The flush key (see flushKey), derived when a flush is sent or checked. */
type FlushSecret = () => Promise<Buffer>;

interface FlushBody {
	/** Digests started since the last flush. */
	save?: unknown;
	/** Digests an earlier flush saved: are they still in the stored copy? */
	verify?: unknown;
	/** Write the whole record even if nothing is missing. */
	rewrite?: boolean;
	/** The sending process, which owns the claims below. */
	owner?: unknown;
	/** Deliveries the sender is starting: [digest, until]. */
	claim?: unknown;
	/** The sender's claims whose deliveries failed to start. */
	release?: unknown;
}

interface FlushAnswer {
	saved?: boolean;
	verified?: boolean;
}

/** Sends what memory has that the stored copy may not, at most once per SAVE_INTERVAL_MS per trigger. */
function scheduleFlush(context: IWebhookFunctions, state: NodeDedupe, flushSecret: FlushSecret, delayMs?: number): void {
	if (state.flushScheduled) return;
	const url = context.getNodeWebhookUrl('default');
	if (!url) return;
	state.flushScheduled = true;
	const wait = delayMs ?? Math.max(0, state.lastFlushAt + SAVE_INTERVAL_MS - Date.now());
	void sleep(wait).then(async () => {
		state.flushScheduled = false;
		// Scheduled before other nodes of the workflow began to use its static data: their data wins.
		if (!state.keepsStoredCopy) return;
		const now = Date.now();
		for (const [digest, seenAt] of state.unverified) if (now - seenAt > VERIFY_GIVE_UP_MS) state.unverified.delete(digest);
		const save = [...state.unsaved];
		const verify = [...state.unverified];
		const claim = [...state.claimsToSend];
		const release = [...state.releasesToSend];
		if (save.length === 0 && verify.length === 0 && claim.length === 0 && release.length === 0 && !state.rewrite) return;
		const rewrite = state.rewrite;
		for (const [digest] of save) state.unsaved.delete(digest);
		state.claimsToSend.clear();
		state.releasesToSend.clear();
		for (const [digest] of claim) state.sentClaims.add(digest);
		state.lastFlushAt = now;
		const body = JSON.stringify({
			save: save.length > 0 ? storedRecordOf(save) : undefined,
			verify: verify.length > 0 ? storedRecordOf(verify) : undefined,
			rewrite: rewrite || undefined,
			owner: claim.length > 0 || release.length > 0 ? processId : undefined,
			claim: claim.length > 0 ? claim : undefined,
			release: release.length > 0 ? release : undefined,
		} satisfies FlushBody);
		try {
			const answer = (await context.helpers.httpRequest({
				method: 'POST',
				url,
				headers: { [FLUSH_HEADER]: flushToken(await flushSecret(), now, body), 'content-type': 'application/json' },
				body,
				json: false,
			})) as unknown;
			const parsed = (typeof answer === 'string' ? JSON.parse(answer) : answer) as FlushAnswer;
			state.failedFlushes = 0;
			// Written by whichever process took it; a stored copy still without the record asks again.
			if (rewrite) state.rewrite = false;
			if (parsed.verified === true) for (const [digest] of verify) state.unverified.delete(digest);
			for (const [digest, seenAt] of save) state.unverified.set(digest, seenAt);
			if (state.unsaved.size > 0 || state.unverified.size > 0) scheduleFlush(context, state, flushSecret, VERIFY_DELAY_MS);
		} catch (error) {
			for (const [digest, seenAt] of save) state.unsaved.set(digest, seenAt);
			// A claim not sent protects nothing; a release not sent is left to the claim's expiry.
			for (const [digest, until] of claim) if (state.inFlight.has(digest)) state.claimsToSend.set(digest, until);
			state.failedFlushes++;
			if (state.failedFlushes === 1) {
				context.logger.warn(
					`Klink Trigger "${context.getNode().name}": could not reach its own production URL to save the dedupe ` +
						`record (${(error as Error).message}); until it can, retries are recognised by this process only`,
				);
			}
			// Tried again with the next started event: no timer keeps a stopped or deactivated trigger busy.
		}
	});
}

/** What the dedupe record says of a delivery. */
export type DeliveryClaim =
	/** Not seen: start it, and call `settle` with whether n8n answered it with a 2xx. */
	| { kind: 'new'; settle: (started: boolean) => void }
	/** Started before (answered 2xx): a retry. */
	| { kind: 'started' }
	/** The same event is being started by another request right now: `outcome` is whether it was. */
	| { kind: 'inFlight'; outcome: Promise<boolean> }
	/** Another n8n process is starting the same event right now (its claim is in the stored copy). */
	| { kind: 'claimedElsewhere' };

/**
 * Whether the record is copied to static data, told in the log when that changes. Not while other nodes use
 * the workflow's static data: n8n writes static data as one whole with no lock, so a flush saved while one of
 * their runs is saving would write the workflow's own data back as it was before that run (the README,
 * "Retried deliveries"). Their data wins over the copy, and the record then lives in memory only.
 */
function keepStoredCopy(context: IWebhookFunctions, state: NodeDedupe, staticDataUsers: string[]): void {
	const keeps = staticDataUsers.length === 0;
	if (keeps === state.keepsStoredCopy) return;
	state.keepsStoredCopy = keeps;
	const name = context.getNode().name;
	if (keeps) {
		context.logger.info(`Klink Trigger "${name}": no other node uses the workflow's static data now; the dedupe record is saved there again`);
		state.rewrite = true;
		return;
	}
	state.unsaved.clear();
	state.unverified.clear();
	state.claimsToSend.clear();
	state.releasesToSend.clear();
	context.logger.warn(
		`Klink Trigger "${name}": ${staticDataUsers.map((user) => `"${user}"`).join(', ')} use the workflow's static data, ` +
			`so the dedupe record is kept in this process's memory only and not saved beside it (n8n saves static ` +
			`data as a whole, and the record's saves could undo theirs): retries are not recognised after a restart ` +
			`or on another webhook process`,
	);
}

/**
 * Checks an event against the record. For production requests only: the caller keeps test requests (the
 * editor's Test URL) away from the record. `staticDataUsers` are the other nodes of the workflow that use
 * its static data (see keepStoredCopy).
 */
export function claimDelivery(
	context: IWebhookFunctions,
	key: string,
	limits: SeenRecordLimits,
	flushSecret: FlushSecret,
	staticDataUsers: string[],
): DeliveryClaim {
	const now = Date.now();
	const state = stateOf(context, limits);
	keepStoredCopy(context, state, staticDataUsers);
	syncWithStored(state, context.getWorkflowStaticData('node'), now);
	if (state.rewrite && state.keepsStoredCopy) scheduleFlush(context, state, flushSecret);
	const digest = eventDigest(key);
	if (state.record.has(digest, now)) return { kind: 'started' };
	const inFlight = state.inFlight.get(digest);
	if (inFlight) return { kind: 'inFlight', outcome: inFlight };
	if (claimedElsewhere(state.storedClaims, digest, processId, now)) return { kind: 'claimedElsewhere' };

	let resolveOutcome: (started: boolean) => void = () => undefined;
	state.inFlight.set(digest, new Promise<boolean>((resolve) => (resolveOutcome = resolve)));
	if (state.keepsStoredCopy) {
		state.claimsToSend.set(digest, now + CLAIM_TTL_MS);
		scheduleFlush(context, state, flushSecret);
	}
	let settled = false;
	return {
		kind: 'new',
		settle: (started) => {
			if (settled) return;
			settled = true;
			state.inFlight.delete(digest);
			// Not sent yet: nothing to end. Sent: a start supersedes it in the stored copy, a failure releases it.
			state.claimsToSend.delete(digest);
			const wasSent = state.sentClaims.delete(digest);
			const at = Date.now();
			if (started && state.record.add(digest, at) && state.keepsStoredCopy) {
				state.unsaved.set(digest, at);
				scheduleFlush(context, state, flushSecret);
			} else if (!started && wasSent && state.keepsStoredCopy) {
				state.releasesToSend.add(digest);
				scheduleFlush(context, state, flushSecret);
			}
			resolveOutcome(started);
		},
	};
}

/** The claim changes a flush request carries; anything malformed is left out. */
function claimChangesOf(body: FlushBody): ClaimChanges {
	const owner = typeof body.owner === 'string' ? body.owner : '';
	const claim = Array.isArray(body.claim)
		? (body.claim as unknown[]).filter(
				(entry): entry is [string, number] => Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'number',
			)
		: [];
	const release = Array.isArray(body.release) ? (body.release as unknown[]).filter((digest): digest is string => typeof digest === 'string') : [];
	return owner === '' ? { owner, claim: [], release: [] } : { owner, claim, release };
}

/**
 * Answers a flush request (from any of the workflow's processes): merges its digests with the stored copy and
 * memory, and changes the static data if anything is missing from it, which n8n saves before it sends this
 * answer. Starts nothing. Returns undefined for any other request (which then goes through the usual checks).
 */
export function answerFlushRequest(
	context: IWebhookFunctions,
	rawBody: Buffer,
	limits: SeenRecordLimits,
	flushSecret: FlushSecret,
): Promise<IWebhookResponseData> | undefined {
	const token = (context.getHeaderData() as Record<string, unknown>)[FLUSH_HEADER];
	if (typeof token !== 'string' || context.getMode() === 'manual') return undefined;
	return (async () => {
		const now = Date.now();
		if (!isValidFlushToken(await flushSecret(), token, rawBody, now)) {
			context.getResponseObject().status(401).end();
			return { noWebhookResponse: true };
		}
		let body: FlushBody;
		try {
			body = JSON.parse(rawBody.toString('utf8')) as FlushBody;
		} catch {
			body = {};
		}
		const state = stateOf(context, limits);
		const staticData = context.getWorkflowStaticData('node');
		syncWithStored(state, staticData, now);
		const stored = staticData[STATIC_DATA_KEY];
		const verified = storedDigests(body.verify).every(([digest, start]) => storedRecordHas(stored, digest, start));
		const toSave = storedDigests(body.save);
		const missing = !verified || toSave.some(([digest, start]) => !storedRecordHas(stored, digest, start));
		state.record.merge(body.save, now);
		state.record.merge(body.verify, now);
		const claims = updateClaims(state.storedClaims, claimChangesOf(body), (digest) => state.record.has(digest, now), now);
		const claimsChanged = !sameClaims(claims, state.storedClaims);
		if (missing || claimsChanged || body.rewrite === true || state.rewrite || state.unsaved.size > 0) writeRecord(state, staticData, now, claims);
		return { webhookResponse: { saved: true, verified } satisfies FlushAnswer };
	})();
}
