import { sleepMs } from './n8nInstance';

/** One event as klink sends it: the same bytes and signature on every attempt. */
export interface SignedDelivery {
	body: string;
	signature: string;
}

export interface DeliveryOutcome {
	/** Statuses of every attempt, in order; 0 for an attempt that got no answer (timeout, connection lost). */
	attempts: number[];
	/** How long each attempt took (ms), in the same order. */
	attemptMs: number[];
	/** The body of the last answer. */
	body: string;
	answered2xx: boolean;
}

export interface SendOptions {
	/** Requests in flight at once. */
	inFlight: number;
	/** Where attempt `attempt` (0 for the first) of delivery `index` goes. */
	urlFor: (index: number, attempt: number) => string;
	/** klink waits 10 s for an answer, then counts the attempt as failed. */
	timeoutMs?: number;
	/** Delay before a failed attempt is sent again (klink: 30, 60, 90 s; tests use less). */
	retryDelayMs?: number;
	/** Each wait longer by `retryDelayMs` than the one before (1x, 2x, 3x ...), the shape of klink's 30, 60, 90 s. */
	growingDelays?: boolean;
	/** Attempts in all, the first included (the late ones aside). */
	maxAttempts?: number;
	/**
	 * Once `maxAttempts` have failed, one more attempt at each of these times (ms) after the delivery's first: klink's
	 * later retries, each event on its own schedule, where a suite's shortened retry delays would give up sooner.
	 */
	lateAttemptsMs?: number[];
	/** First attempts at most this many per second (a steady inbox), instead of as fast as answers come. */
	ratePerSecond?: number;
	/** Told how many first attempts have gone out, after each one (a fault can then come mid-burst). */
	onFirstAttempt?: (sent: number) => void;
}

/**
 * Sends deliveries the way klink.cloud does: each attempt waits up to `timeoutMs`; anything but a 2xx
 * (an error status, a timeout, a lost connection) is sent again after `retryDelayMs`, the same bytes with
 * the same signature, up to `maxAttempts`.
 */
export async function sendLikeKlink(deliveries: SignedDelivery[], options: SendOptions): Promise<DeliveryOutcome[]> {
	const { inFlight, urlFor, timeoutMs = 10_000, retryDelayMs = 2000, maxAttempts = 4, growingDelays = false, lateAttemptsMs = [], ratePerSecond, onFirstAttempt } = options;
	const firstSentAt = deliveries.map(() => 0);
	const outcomes: DeliveryOutcome[] = deliveries.map(() => ({ attempts: [], attemptMs: [], body: '', answered2xx: false }));
	const start = Date.now();
	const queue: Array<{ index: number; notBefore: number }> = deliveries.map((_, index) => ({
		index,
		notBefore: ratePerSecond ? start + (index * 1000) / ratePerSecond : 0,
	}));
	let pending = deliveries.length;
	let firstAttempts = 0;

	const attempt = async (index: number): Promise<void> => {
		const outcome = outcomes[index];
		const url = urlFor(index, outcome.attempts.length);
		const sentAt = Date.now();
		if (outcome.attempts.length === 0) {
			firstSentAt[index] = sentAt;
			onFirstAttempt?.(++firstAttempts);
		}
		try {
			const response = await fetch(url, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'x-signature': deliveries[index].signature },
				body: deliveries[index].body,
				signal: AbortSignal.timeout(timeoutMs),
			});
			outcome.body = await response.text();
			outcome.attempts.push(response.status);
			outcome.answered2xx = response.status >= 200 && response.status < 300;
		} catch {
			outcome.attempts.push(0);
		}
		outcome.attemptMs.push(Date.now() - sentAt);
		const late = outcome.attempts.length - maxAttempts;
		if (outcome.answered2xx || late >= lateAttemptsMs.length) pending--;
		else if (late >= 0) queue.push({ index, notBefore: firstSentAt[index] + lateAttemptsMs[late] });
		else queue.push({ index, notBefore: Date.now() + retryDelayMs * (growingDelays ? outcome.attempts.length : 1) });
	};

	const worker = async (): Promise<void> => {
		while (pending > 0) {
			const nextAt = queue.findIndex((item) => item.notBefore <= Date.now());
			if (nextAt === -1) {
				await sleepMs(50);
				continue;
			}
			const [item] = queue.splice(nextAt, 1);
			await attempt(item.index);
		}
	};
	await Promise.all(Array.from({ length: inFlight }, worker));
	return outcomes;
}

/** How many times each marker appears among what the workflow recorded: 0 is lost, 2 or more is doubled. */
export function runCounts(markers: string[], recorded: string[]): { lost: string[]; doubled: string[] } {
	const counts = new Map<string, number>();
	for (const marker of recorded) counts.set(marker, (counts.get(marker) ?? 0) + 1);
	return {
		lost: markers.filter((marker) => (counts.get(marker) ?? 0) === 0),
		doubled: markers.filter((marker) => (counts.get(marker) ?? 0) > 1),
	};
}
