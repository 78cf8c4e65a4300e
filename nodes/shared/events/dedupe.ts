import { createHash } from 'crypto';

import type { KlinkEventView } from './klinkEvent';

/**
 * klink retries a delivery it did not see a 200 for after 30, 60 and 90 s (each attempt waiting 10 s):
 * about four minutes in all. Keys are kept well past that by default, and never for less than that.
 */
export const DEFAULT_DEDUPE_WINDOW_MS = 15 * 60 * 1000;
export const MIN_DEDUPE_WINDOW_MS = 5 * 60 * 1000;

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
