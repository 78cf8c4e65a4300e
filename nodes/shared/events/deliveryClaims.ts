/**
 * Deliveries an n8n process is starting right now, as the other processes of a queue-mode setup see them.
 *
 * A process that starts an event answers klink only once n8n has stored (and queued) the run. When that takes
 * longer than klink waits (a loaded webhook process, Redis restarting), klink sends the event again, and the
 * load balancer may give the retry to another process, which knows nothing of the first. So each process puts
 * its unsettled deliveries in the stored copy of the dedupe record as claims; another process answers a retry
 * of a claimed event with a 503 (klink sends it again later) instead of starting it a second time. A claim ends
 * when its owner records the event as started (the record supersedes the claim), releases it (n8n failed to
 * start it: the next retry runs it), or when it expires (its owner died): never later than klink's retries.
 */

/** How long a claim holds: past n8n's slowest answers seen here, well before klink's later retries. */
export const CLAIM_TTL_MS = 60_000;

export interface Claim {
	/** Epoch ms after which the claim no longer holds. */
	until: number;
	/** The process that made it. */
	owner: string;
}

/** The stored form: [digest, until, owner]. */
export type StoredClaim = [digest: string, until: number, owner: string];

/** The claims of a stored copy that still hold at `now`; anything malformed is ignored. */
export function readClaims(stored: unknown, now: number): Map<string, Claim> {
	const claims = new Map<string, Claim>();
	if (!Array.isArray(stored)) return claims;
	for (const entry of stored as unknown[]) {
		if (!Array.isArray(entry) || entry.length !== 3) continue;
		const [digest, until, owner] = entry as unknown[];
		if (typeof digest !== 'string' || typeof until !== 'number' || typeof owner !== 'string' || until <= now) continue;
		claims.set(digest, { until, owner });
	}
	return claims;
}

export interface ClaimChanges {
	owner: string;
	/** New claims of `owner`: [digest, until]. */
	claim: Array<[digest: string, until: number]>;
	/** Claims of `owner` that ended without a start. */
	release: string[];
}

/**
 * The claims to store after `changes`: the stored ones, plus the owner's new claims, less the owner's
 * releases, the expired ones and those of events now recorded as started.
 */
export function updateClaims(stored: Map<string, Claim>, changes: ClaimChanges, isStarted: (digest: string) => boolean, now: number): StoredClaim[] {
	const next = new Map(stored);
	for (const [digest, until] of changes.claim) next.set(digest, { until, owner: changes.owner });
	for (const digest of changes.release) if (next.get(digest)?.owner === changes.owner) next.delete(digest);
	const kept: StoredClaim[] = [];
	for (const [digest, { until, owner }] of next) if (until > now && !isStarted(digest)) kept.push([digest, until, owner]);
	return kept;
}

/** Whether `digest` is being started by a process other than `self`. */
export function claimedElsewhere(claims: Map<string, Claim>, digest: string, self: string, now: number): boolean {
	const claim = claims.get(digest);
	return claim !== undefined && claim.owner !== self && claim.until > now;
}

/** Whether two lists of stored claims hold the same claims. */
export function sameClaims(a: StoredClaim[], b: Map<string, Claim>): boolean {
	return a.length === b.size && a.every(([digest, until, owner]) => b.get(digest)?.until === until && b.get(digest)?.owner === owner);
}
