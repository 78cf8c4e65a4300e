/**
 * When to try a Custom Channel message again, and after how long. Pure and deterministic (no jitter): the
 * same inputs always give the same decision, so tests and benchmarks can rely on the delays.
 *
 * Retrying a POST is safe here only because every attempt of one message carries the same `messageId`
 * (see messageId.ts) and klink recognises repeats by it: a retry after a timeout or a dropped connection,
 * where klink may in fact have stored the first attempt, cannot create a second message.
 */

export interface RetryPolicy {
	/** Retries after the first attempt; 0 disables retrying. */
	maxRetries: number;
	/** Delay before the first retry; doubled for each further retry. */
	baseDelayMs: number;
	/** Upper bound for any single delay, including one asked for by Retry-After. */
	maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
	maxRetries: 3,
	baseDelayMs: 1000,
	maxDelayMs: 30_000,
});

/**
 * Network failures worth another attempt: the connection was refused, reset or timed out, or a name lookup
 * failed temporarily. Node's own codes, undici's (Node's fetch) and axios's (n8n's HTTP helper).
 */
export const RETRYABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ECONNABORTED',
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	'EPIPE',
	'EAI_AGAIN',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'ENETDOWN',
	'UND_ERR_SOCKET',
	'UND_ERR_CONNECT_TIMEOUT',
	'UND_ERR_HEADERS_TIMEOUT',
	'UND_ERR_BODY_TIMEOUT',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
	'SOCKET_HANG_UP',
	'TIMEOUT',
]);

export interface RetryInput {
	/** Attempts made so far, counting the one that just failed (1 after the first attempt). */
	attempt: number;
	/** HTTP status of the failed attempt; absent when no response arrived. */
	statusCode?: number;
	/** Error code of a network failure (no response), e.g. ECONNRESET. */
	networkErrorCode?: string;
	/** The response's Retry-After header: delay-seconds or an HTTP date. */
	retryAfterHeader?: string | string[];
	/** Current time in epoch milliseconds, to resolve a Retry-After date. */
	now: number;
}

export interface RetryDecision {
	retry: boolean;
	/** How long to wait before the next attempt; 0 when not retrying. */
	delayMs: number;
	/** Whether the failure is of a transient kind (429, 5xx, network), whether or not retries are left. */
	transient: boolean;
	/** Why, in a few words, for logs and error messages. */
	reason: string;
}

export function isRetryableStatus(statusCode: number): boolean {
	return statusCode === 429 || (statusCode >= 500 && statusCode <= 599);
}

export function isRetryableNetworkCode(code: string | undefined): boolean {
	return code !== undefined && RETRYABLE_NETWORK_CODES.has(code.toUpperCase());
}

/**
 * Milliseconds a Retry-After header asks to wait, or undefined when it is absent or unreadable. A date in
 * the past means "now" (0).
 */
export function parseRetryAfter(header: string | string[] | undefined, now: number): number | undefined {
	const value = (Array.isArray(header) ? header[0] : header)?.trim();
	if (!value) return undefined;
	if (/^\d+(?:\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
	// An HTTP date names its weekday and month; requiring letters keeps bare numbers like "-1" out.
	if (!/[a-z]/i.test(value)) return undefined;
	const date = Date.parse(value);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
}

/** The exponential backoff delay after `attempt` failed attempts: base, 2 x base, 4 x base ..., capped. */
export function backoffDelay(attempt: number, policy: RetryPolicy): number {
	const exponent = Math.max(0, attempt - 1);
	return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(exponent, 30));
}

export function normalizePolicy(policy: Partial<RetryPolicy> = {}): RetryPolicy {
	const pick = (value: number | undefined, fallback: number) =>
		typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
	return {
		maxRetries: pick(policy.maxRetries, DEFAULT_RETRY_POLICY.maxRetries),
		baseDelayMs: pick(policy.baseDelayMs, DEFAULT_RETRY_POLICY.baseDelayMs),
		maxDelayMs: pick(policy.maxDelayMs, DEFAULT_RETRY_POLICY.maxDelayMs),
	};
}

/**
 * Decides whether to retry a failed attempt: only on 429, any 5xx, or a retryable network failure, and only
 * while fewer than `maxRetries` retries were made. Any other status (400, 401, 403, 404, 413, 422 ...) is the
 * request's fault and is never retried. The delay is the exponential backoff, or the Retry-After the server
 * asked for when that is longer, never more than `maxDelayMs`.
 */
export function decideRetry(input: RetryInput, policyInput: Partial<RetryPolicy> = DEFAULT_RETRY_POLICY): RetryDecision {
	const policy = normalizePolicy(policyInput);
	const { attempt, statusCode, networkErrorCode } = input;

	let cause: string;
	if (statusCode !== undefined) {
		if (statusCode >= 200 && statusCode <= 299) return { retry: false, delayMs: 0, transient: false, reason: 'succeeded' };
		if (!isRetryableStatus(statusCode)) {
			return { retry: false, delayMs: 0, transient: false, reason: `HTTP ${statusCode} is not retryable` };
		}
		cause = `HTTP ${statusCode}`;
	} else if (isRetryableNetworkCode(networkErrorCode)) {
		cause = networkErrorCode as string;
	} else {
		return {
			retry: false,
			delayMs: 0,
			transient: false,
			reason: networkErrorCode ? `${networkErrorCode} is not retryable` : 'the failure is not retryable',
		};
	}

	const retriesMade = Math.max(0, attempt - 1);
	if (retriesMade >= policy.maxRetries) {
		return {
			retry: false,
			delayMs: 0,
			transient: true,
			reason: `${cause}; gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}`,
		};
	}

	const backoff = backoffDelay(attempt, policy);
	const retryAfter = statusCode !== undefined ? parseRetryAfter(input.retryAfterHeader, input.now) : undefined;
	const wanted = retryAfter === undefined ? backoff : Math.max(backoff, retryAfter);
	const delayMs = Math.min(policy.maxDelayMs, wanted);
	const capped = retryAfter !== undefined && retryAfter > policy.maxDelayMs;
	return {
		retry: true,
		delayMs,
		transient: true,
		reason:
			`${cause}; retry ${retriesMade + 1} of ${policy.maxRetries} in ${delayMs} ms` +
			(retryAfter !== undefined ? ` (Retry-After ${retryAfter} ms${capped ? ', capped' : ''})` : ''),
	};
}
