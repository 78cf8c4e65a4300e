import { createHash } from 'crypto';

import type { KlinkEventView } from './klinkEvent';

/**
 * klink retries a delivery it did not see a 200 for after 30, 60 and 90 s (each attempt waiting 10 s):
 * about four minutes in all. Keys are kept well past that, and never more than a fixed count, so the
 * state stays small enough to live in the workflow's static data (which n8n persists in its database).
 */
export const DEFAULT_DEDUPE_WINDOW_MS = 15 * 60 * 1000;
export const DEFAULT_DEDUPE_MAX_ENTRIES = 2000;

export interface SeenEvents {
	/** key -> first time it was seen (epoch ms), oldest first */
	[key: string]: number;
}

export interface DedupeLimits {
	windowMs: number;
	maxEntries: number;
}

function shortHash(data: Buffer | string): string {
	return createHash('sha256').update(data).digest('hex').slice(0, 32);
}

/**
 * The identity of one klink event, the same for every retry of it. Messages are identified by their id;
 * contact and conversation events also carry a revision (update time), because one contact is updated
 * many times; with neither, a hash of the normalized body stands in, so reordered keys still match. The body
 * is asked for only then, since normalizing a large body is the costly part.
 */
export function eventKey(view: KlinkEventView, normalizedBody: () => Buffer | string): string {
	if (view.messageId) return `${view.event}|m:${view.messageId}`;
	const entity = view.contactId ? `c:${view.contactId}` : view.conversationId ? `r:${view.conversationId}` : '';
	if (entity && view.revision) return `${view.event}|${entity}|${view.revision}`;
	return `${view.event}|${entity}|h:${shortHash(normalizedBody())}`;
}

/**
 * Records `key` as seen at `now` unless it already was within the window. Returns true for a duplicate.
 * Mutates `seen`: expired keys are dropped and the oldest go first when the count limit is reached.
 */
export function rememberEvent(seen: SeenEvents, key: string, now: number, limits: DedupeLimits): boolean {
	const oldest = now - limits.windowMs;
	for (const existing of Object.keys(seen)) {
		if (seen[existing] >= oldest) break;
		delete seen[existing];
	}
	const firstSeen = seen[key];
	if (firstSeen !== undefined && firstSeen >= oldest) return true;

	const keys = Object.keys(seen);
	for (let i = 0; i <= keys.length - limits.maxEntries; i++) delete seen[keys[i]];
	seen[key] = now;
	return false;
}

/**
 * Adds to `seen` the keys only `stored` knows (kept state after a restart, or written by another n8n
 * process), keeping the result ordered oldest first as rememberEvent expects. Returns `seen`.
 */
export function mergeSeenEvents(seen: SeenEvents, stored: SeenEvents | undefined): SeenEvents {
	if (!stored) return seen;
	const missing = Object.keys(stored).filter((key) => seen[key] === undefined && typeof stored[key] === 'number');
	if (missing.length === 0) return seen;
	const entries = [...Object.entries(seen), ...missing.map((key): [string, number] => [key, stored[key]])];
	entries.sort((a, b) => a[1] - b[1]);
	for (const key of Object.keys(seen)) delete seen[key];
	for (const [key, at] of entries) seen[key] = at;
	return seen;
}
