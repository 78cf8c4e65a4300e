import { createHmac } from 'crypto';

/**
 * Requests as klink.cloud sends them, for the engine tests. These tests sign bodies whose Go form is
 * plain to see (no characters Go escapes, no numbers Go rewrites), so the signature can be computed from
 * klink's documented formula without the trigger's own normalizer; the Go program in test/go signs the
 * hard cases for the e2e suite.
 */

/** JSON with object keys in byte order: what Go's json.Marshal writes for such a body. */
export function goJson(value: unknown): string {
	return JSON.stringify(value, (_key, inner: unknown) =>
		inner && typeof inner === 'object' && !Array.isArray(inner)
			? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
			: inner,
	);
}

/** klink's signature for a POST without a query string: HMAC-SHA256(secret, "POST" + URL + body), hex. */
export function klinkSignature(secret: string, url: string, normalizedBody: string): string {
	return createHmac('sha256', secret).update(`POST${url}${normalizedBody}`).digest('hex');
}

export async function postJson(url: string, body: string, headers: Record<string, string>) {
	const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
	return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** POSTs a JSON body and reads the answer as text (n8n's Webhook node answers a refused request in plain text). */
export async function postJsonForText(url: string, body: string, headers: Record<string, string>) {
	const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
	return { status: response.status, text: await response.text() };
}
