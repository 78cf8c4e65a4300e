import { backoffDelay, decideRetry, parseRetryAfter, type RetryPolicy } from './retryPolicy';

const policy: RetryPolicy = { maxRetries: 3, baseDelayMs: 1000, maxDelayMs: 30_000 };
const now = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('decideRetry', () => {
	it.each([429, 500, 502, 503, 504, 599])('retries HTTP %i', (statusCode) => {
		expect(decideRetry({ attempt: 1, statusCode, now }, policy)).toMatchObject({ retry: true, delayMs: 1000 });
	});

	it.each([400, 401, 403, 404, 405, 408, 409, 413, 422, 301])('never retries HTTP %i', (statusCode) => {
		expect(decideRetry({ attempt: 1, statusCode, now }, policy)).toMatchObject({ retry: false, delayMs: 0, transient: false });
	});

	it.each(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'econnreset'])(
		'retries the network failure %s',
		(networkErrorCode) => {
			expect(decideRetry({ attempt: 1, networkErrorCode, now }, policy).retry).toBe(true);
		},
	);

	it.each(['ENOTFOUND', 'ERR_CANCELED', 'ABORT_ERR', 'CERT_HAS_EXPIRED', undefined])(
		'does not retry the failure %s',
		(networkErrorCode) => {
			expect(decideRetry({ attempt: 1, networkErrorCode, now }, policy).retry).toBe(false);
		},
	);

	it('backs off exponentially and deterministically, then gives up after maxRetries retries', () => {
		const decisions = [1, 2, 3, 4].map((attempt) => decideRetry({ attempt, statusCode: 503, now }, policy));
		expect(decisions.map((d) => [d.retry, d.delayMs])).toEqual([
			[true, 1000],
			[true, 2000],
			[true, 4000],
			[false, 0],
		]);
		expect(decisions[3]).toMatchObject({ transient: true });
		expect(decisions[3].reason).toContain('gave up after 4 attempts');
	});

	it('caps the backoff at maxDelayMs', () => {
		const big: RetryPolicy = { maxRetries: 20, baseDelayMs: 1000, maxDelayMs: 5000 };
		expect(decideRetry({ attempt: 10, statusCode: 500, now }, big).delayMs).toBe(5000);
	});

	it('does not retry at all with maxRetries 0', () => {
		expect(decideRetry({ attempt: 1, statusCode: 503, now }, { ...policy, maxRetries: 0 }).retry).toBe(false);
	});

	it('honours a longer Retry-After in seconds', () => {
		expect(decideRetry({ attempt: 1, statusCode: 429, retryAfterHeader: '7', now }, policy).delayMs).toBe(7000);
	});

	it('keeps the backoff when Retry-After asks for less', () => {
		expect(decideRetry({ attempt: 3, statusCode: 429, retryAfterHeader: '1', now }, policy).delayMs).toBe(4000);
	});

	it('honours a Retry-After HTTP date', () => {
		const at = new Date(now + 12_000).toUTCString();
		expect(decideRetry({ attempt: 1, statusCode: 503, retryAfterHeader: at, now }, policy).delayMs).toBe(12_000);
	});

	it('caps Retry-After at maxDelayMs and says so', () => {
		const decision = decideRetry({ attempt: 1, statusCode: 429, retryAfterHeader: '3600', now }, policy);
		expect(decision).toMatchObject({ retry: true, delayMs: 30_000 });
		expect(decision.reason).toContain('capped');
	});

	it('ignores an unreadable Retry-After', () => {
		expect(decideRetry({ attempt: 2, statusCode: 429, retryAfterHeader: 'soon', now }, policy).delayMs).toBe(2000);
	});

	it('falls back to the default policy for missing or invalid settings', () => {
		expect(decideRetry({ attempt: 1, statusCode: 500, now }, { maxRetries: Number.NaN })).toMatchObject({
			retry: true,
			delayMs: 1000,
		});
		expect(decideRetry({ attempt: 4, statusCode: 500, now }).retry).toBe(false);
	});

	it('does not retry a success', () => {
		expect(decideRetry({ attempt: 1, statusCode: 201, now }, policy).retry).toBe(false);
	});
});

describe('parseRetryAfter', () => {
	it('reads seconds, fractional seconds and dates; a past date means now', () => {
		expect(parseRetryAfter('120', now)).toBe(120_000);
		expect(parseRetryAfter('1.5', now)).toBe(1500);
		expect(parseRetryAfter(['3', '9'], now)).toBe(3000);
		expect(parseRetryAfter(new Date(now - 5000).toUTCString(), now)).toBe(0);
	});

	it('returns undefined for absent or unreadable values', () => {
		expect(parseRetryAfter(undefined, now)).toBeUndefined();
		expect(parseRetryAfter('', now)).toBeUndefined();
		expect(parseRetryAfter('-1', now)).toBeUndefined();
		expect(parseRetryAfter('later', now)).toBeUndefined();
	});
});

describe('backoffDelay', () => {
	it('doubles from the base delay', () => {
		expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, policy))).toEqual([1000, 2000, 4000, 8000, 16_000]);
	});
});
