import type { RequestHeaders } from '../http/requestHeaders';

const ALWAYS_SECRET = ['authorization', 'proxy-authorization', 'cookie'];

/** Request headers for the workflow's item, without the ones that carry credentials. */
export function redactHeaders(headers: RequestHeaders, secretHeaders: string[] = []): Record<string, string | string[]> {
	const secret = new Set([...ALWAYS_SECRET, ...secretHeaders.map((name) => name.toLowerCase())]);
	const kept: Record<string, string | string[]> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (value === undefined) continue;
		kept[name] = secret.has(name.toLowerCase()) ? '[redacted]' : value;
	}
	return kept;
}
