/**
 * A Custom Channel's inbound webhook URL is a bearer secret: whoever holds it can post into the inbox.
 * Everything this package shows (errors, logs, output) goes through these helpers first.
 */

export const MASK = '***';

/** Path segments that are part of every klink Custom Channel URL and reveal nothing. */
const PUBLIC_SEGMENTS = new Set(['custom-channel', 'webhook', 'webhooks', 'api', 'v1', 'v2']);

/** Shorter segments are only masked as part of a longer match, so ordinary words in a message stay readable. */
const MIN_SECRET_SEGMENT_LENGTH = 8;

function tryParse(url: string): URL | undefined {
	try {
		return new URL(url.trim());
	} catch {
		return undefined;
	}
}

/**
 * A safe way to name the URL: scheme, host and the public first path segment only, for example
 * `https://me.klink.cloud/custom-channel/***`. Anything that does not parse is shown as `***`.
 */
export function describeSecretUrl(url: string): string {
	const parsed = tryParse(url);
	if (!parsed || !parsed.host) return MASK;
	const segments = parsed.pathname.split('/').filter(Boolean);
	const first = segments[0];
	if (first !== undefined && PUBLIC_SEGMENTS.has(first.toLowerCase()) && segments.length > 1) {
		return `${parsed.protocol}//${parsed.host}/${first}/${MASK}`;
	}
	return `${parsed.protocol}//${parsed.host}/${MASK}`;
}

function safeDecode(value: string): string {
	try {
		return decodeURIComponent(value);
	} catch {
		return value;
	}
}

interface Replacement {
	find: string;
	replaceWith: string;
}

function replacementsFor(url: string): Replacement[] {
	const raw = url.trim();
	if (!raw) return [];
	const described = describeSecretUrl(raw);
	const list: Replacement[] = [];
	const add = (find: string | undefined, replaceWith: string) => {
		if (find && find.length >= 4) list.push({ find, replaceWith });
	};

	const parsed = tryParse(raw);
	const fullForms = new Set<string>([raw, url]);
	if (parsed) {
		fullForms.add(parsed.href);
		fullForms.add(parsed.href.replace(/\/$/, ''));
		fullForms.add(`${parsed.host}${parsed.pathname}${parsed.search}`);
	}
	for (const form of [...fullForms]) {
		fullForms.add(encodeURIComponent(form));
		fullForms.add(encodeURI(form));
		fullForms.add(form.replace(/\//g, '\\/')); // as it appears inside JSON written with escaped slashes
	}
	for (const form of fullForms) add(form, described);

	if (parsed) {
		const segments = parsed.pathname.split('/').filter(Boolean);
		const publicPrefix =
			segments[0] !== undefined && PUBLIC_SEGMENTS.has(segments[0].toLowerCase()) && segments.length > 1
				? `/${segments[0]}`
				: '';
		const maskedPath = `${publicPrefix}/${MASK}`;
		const pathForms = new Set<string>([parsed.pathname + parsed.search, parsed.pathname, safeDecode(parsed.pathname)]);
		for (const form of [...pathForms]) pathForms.add(encodeURIComponent(form));
		for (const form of pathForms) {
			if (form !== '/' && form !== publicPrefix) add(form, maskedPath);
		}
		for (const segment of segments) {
			if (PUBLIC_SEGMENTS.has(segment.toLowerCase()) || segment.length < MIN_SECRET_SEGMENT_LENGTH) continue;
			add(segment, MASK);
			add(safeDecode(segment), MASK);
		}
		for (const value of parsed.searchParams.values()) {
			if (value.length >= MIN_SECRET_SEGMENT_LENGTH) add(value, MASK);
		}
		if (parsed.password) add(parsed.password, MASK);
		if (parsed.username) add(parsed.username, MASK);
	} else {
		// Not a URL at all (a misconfigured credential): its long tokens are still treated as secret.
		for (const token of raw.split(/[\s/?&=#]+/)) {
			if (token.length >= MIN_SECRET_SEGMENT_LENGTH) add(token, MASK);
		}
	}
	// Longest first, so the full URL is replaced before the path and the path before its segments.
	return list.sort((a, b) => b.find.length - a.find.length);
}

/** The replacements of the URL last masked: one node run masks many texts with the same URL. */
let cache: { url: string; list: Replacement[] } | undefined;

function cachedReplacementsFor(url: string): Replacement[] {
	if (cache?.url !== url) cache = { url, list: replacementsFor(url) };
	return cache.list;
}

/**
 * Replaces every occurrence of `url` in `text` (as given, normalized, percent-encoded, JSON-escaped, its path
 * alone, and each long secret path segment alone) with a masked form. `text` that is not a string is
 * stringified first; the result never contains the secret parts of the URL.
 */
export function maskSecretUrl(text: unknown, url: string | undefined): string {
	let result = typeof text === 'string' ? text : text === undefined || text === null ? '' : safeStringify(text);
	if (!url) return result;
	for (const { find, replaceWith } of cachedReplacementsFor(url)) {
		if (result.includes(find)) result = result.split(find).join(replaceWith);
	}
	return result;
}

function safeStringify(value: unknown): string {
	if (value instanceof Error) return value.message;
	try {
		return JSON.stringify(value) ?? String(value);
	} catch {
		return String(value);
	}
}
