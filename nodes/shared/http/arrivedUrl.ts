import { readHeader, type RequestHeaders } from './requestHeaders';

/**
 * The URL a request was sent to, as its headers tell it: X-Forwarded-Proto and X-Forwarded-Host (set by
 * a reverse proxy) or Host, and the path. Never trusted for verification (any client can write these
 * headers); used only to explain why a signature failed behind a proxy.
 */
export function urlAsArrived(headers: RequestHeaders, path: string, protocol = 'http'): string | undefined {
	const host = firstListValue(readHeader(headers, 'x-forwarded-host')) ?? firstListValue(readHeader(headers, 'host'));
	if (!host) return undefined;
	const proto = firstListValue(readHeader(headers, 'x-forwarded-proto'))?.toLowerCase() ?? protocol;
	if (proto !== 'http' && proto !== 'https') return undefined;
	try {
		const url = new URL(`${proto}://${host}`);
		url.pathname = path.split('?')[0];
		return url.toString();
	} catch {
		return undefined;
	}
}

/** Proxies append to these headers: the first entry is what the client used. */
function firstListValue(value: string | undefined): string | undefined {
	const first = value?.split(',')[0]?.trim();
	return first ? first : undefined;
}
