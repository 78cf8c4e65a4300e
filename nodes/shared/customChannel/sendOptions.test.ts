import { parseSendOptions, retryPolicyFrom } from './sendOptions';

describe('parseSendOptions', () => {
	it('fills in the defaults for an empty collection', () => {
		expect(parseSendOptions({})).toEqual({
			ok: true,
			options: { concurrency: 5, maxRetries: 3, retryDelay: 1000, maxRetryDelay: 30_000, timeout: 30_000 },
		});
		expect(parseSendOptions(undefined)).toMatchObject({ ok: true, options: { concurrency: 5 } });
	});

	it('accepts values within the limits, numeric strings included, and ignores unknown keys', () => {
		expect(parseSendOptions({ concurrency: '10', maxRetries: 0, timeout: 500, somethingNew: true })).toMatchObject({
			ok: true,
			options: { concurrency: 10, maxRetries: 0, timeout: 500 },
		});
	});

	it.each([
		[{ concurrency: 0 }, 'Concurrency (concurrency) must be a whole number from 1 to 50, got 0'],
		[{ concurrency: 2.5 }, 'Concurrency (concurrency)'],
		[{ maxRetries: 11 }, 'Max Retries (maxRetries) must be a whole number from 0 to 10'],
		[{ timeout: 'soon' }, 'Timeout (Ms) (timeout)'],
		[{ retryDelay: -1 }, 'Retry Delay (Ms) (retryDelay)'],
	])('rejects %j with a message naming the option', (input, message) => {
		const result = parseSendOptions(input);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.message).toContain(message);
	});

	it('maps to a retry policy', () => {
		const parsed = parseSendOptions({ maxRetries: 2, retryDelay: 50, maxRetryDelay: 400 });
		if (!parsed.ok) throw new Error(parsed.message);
		expect(retryPolicyFrom(parsed.options)).toEqual({ maxRetries: 2, baseDelayMs: 50, maxDelayMs: 400 });
	});
});
