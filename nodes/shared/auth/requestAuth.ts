import { readHeader, type RequestHeaders } from '../http/requestHeaders';
import { constantTimeEqual } from './constantTimeEqual';

export type AuthResult = { ok: true } | { ok: false; reason: string };

/** klink's "Custom Header" option, and the custom channel's `Authorization: Bearer ...` header. */
export function checkHeaderAuth(headers: RequestHeaders, name: string, expectedValue: string): AuthResult {
	if (!name || !expectedValue) return { ok: false, reason: 'header auth credential is incomplete' };
	const received = readHeader(headers, name);
	if (received === undefined) return { ok: false, reason: `missing ${name.toLowerCase()} header` };
	return constantTimeEqual(received, expectedValue)
		? { ok: true }
		: { ok: false, reason: `wrong ${name.toLowerCase()} header` };
}

/** klink's "Basic Authentication" option. */
export function checkBasicAuth(headers: RequestHeaders, user: string, password: string): AuthResult {
	if (!user && !password) return { ok: false, reason: 'basic auth credential is incomplete' };
	const authorization = readHeader(headers, 'authorization');
	const match = authorization ? /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization) : null;
	if (!match) return { ok: false, reason: 'missing basic authorization header' };
	const decoded = Buffer.from(match[1], 'base64').toString('utf8');
	const expected = `${user}:${password}`;
	return constantTimeEqual(decoded, expected) ? { ok: true } : { ok: false, reason: 'wrong basic auth user or password' };
}
