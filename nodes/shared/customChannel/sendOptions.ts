import { z } from 'zod';

import type { RetryPolicy } from './retryPolicy';

/** The node's "Options" collection: defaults and limits, shared by the parameter descriptions and validation. */
export const SEND_OPTION_LIMITS = {
	concurrency: { default: 5, min: 1, max: 50, label: 'Concurrency' },
	maxRetries: { default: 3, min: 0, max: 10, label: 'Max Retries' },
	retryDelay: { default: 1000, min: 0, max: 60_000, label: 'Retry Delay (Ms)' },
	maxRetryDelay: { default: 30_000, min: 0, max: 300_000, label: 'Max Retry Delay (Ms)' },
	timeout: { default: 30_000, min: 1, max: 300_000, label: 'Timeout (Ms)' },
} as const;

export type SendOptionName = keyof typeof SEND_OPTION_LIMITS;

export interface SendOptionsValues {
	concurrency: number;
	maxRetries: number;
	retryDelay: number;
	maxRetryDelay: number;
	timeout: number;
}

function wholeNumber(name: SendOptionName) {
	const { default: fallback, min, max, label } = SEND_OPTION_LIMITS[name];
	const message = `Options > ${label} (${name}) must be a whole number from ${min} to ${max}`;
	return z.unknown().transform((value, ctx): number => {
		if (value === undefined || value === null || value === '') return fallback;
		const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
		if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
			ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${message}, got ${JSON.stringify(value) ?? String(value)}` });
			return z.NEVER;
		}
		return number;
	});
}

export const sendOptionsSchema = z.object({
	concurrency: wholeNumber('concurrency'),
	maxRetries: wholeNumber('maxRetries'),
	retryDelay: wholeNumber('retryDelay'),
	maxRetryDelay: wholeNumber('maxRetryDelay'),
	timeout: wholeNumber('timeout'),
});

/** Reads the options collection; unknown keys are ignored so options added later do not break old nodes. */
export function parseSendOptions(input: unknown): { ok: true; options: SendOptionsValues } | { ok: false; message: string } {
	const source = input && typeof input === 'object' ? input : {};
	const parsed = sendOptionsSchema.safeParse(source);
	if (parsed.success) return { ok: true, options: parsed.data };
	return { ok: false, message: parsed.error.issues.map((issue) => issue.message).join('; ') };
}

export function retryPolicyFrom(options: SendOptionsValues): RetryPolicy {
	return { maxRetries: options.maxRetries, baseDelayMs: options.retryDelay, maxDelayMs: options.maxRetryDelay };
}
