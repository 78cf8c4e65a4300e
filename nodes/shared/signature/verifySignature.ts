import { createHmac, timingSafeEqual } from 'crypto';

import { readHeader, type RequestHeaders } from '../http/requestHeaders';
import { BodyNotJsonError, normalizeBody } from './normalizeBody';
import { normalizeQuery } from './normalizeQuery';

export type SignatureHeaders = RequestHeaders;

/** An optional scheme word (`HMAC-SHA256 `, `sha256=`, `Signature `) and exactly 64 hex digits. */
const SIGNATURE_VALUE = /^(?:[A-Za-z][A-Za-z0-9_.-]*(?:\s+|=))?([0-9a-fA-F]{64})$/;

/**
 * The 32 signature bytes from `x-signature`, or from `authorization` when there is no `x-signature`;
 * undefined when the header in use is not a (scheme word and) 64-digit hex value.
 */
export function parseSignatureHeader(headers: SignatureHeaders): Buffer | undefined {
	const value = readTrimmedHeader(headers, 'x-signature') ?? readTrimmedHeader(headers, 'authorization');
	const match = value === undefined ? null : SIGNATURE_VALUE.exec(value);
	return match ? Buffer.from(match[1], 'hex') : undefined;
}

/** A header's value without surrounding white space; undefined when absent or blank. */
function readTrimmedHeader(headers: SignatureHeaders, name: string): string | undefined {
	const text = readHeader(headers, name)?.trim();
	return text ? text : undefined;
}

/** The bytes klink signs, in order: method + URL + NormalizedQuery + NormalizedBody. */
function signedMessage(method: string, url: string, normalizedQuery: Buffer, normalizedBody: Buffer): Buffer[] {
	return [Buffer.from(method + url, 'utf8'), normalizedQuery, normalizedBody];
}

function hmacSha256(secret: string, message: Buffer[]): Buffer {
	const hmac = createHmac('sha256', secret);
	for (const part of message) hmac.update(part);
	return hmac.digest();
}

export interface SignRequestInput {
	secret: string;
	method: string;
	/** The URL klink was given, without the query string. */
	url: string;
	rawQuery: string;
	rawBody: Buffer;
	/** How U+0008 and U+000C in strings are written: Go 1.19 to 1.21 (default) or Go 1.22 and later. */
	goVersion?: 'go1.19' | 'go1.22';
}

/** The hex x-signature klink sends for a request. Throws BodyNotJsonError for a body that is not JSON. */
export function signKlinkRequest(input: SignRequestInput): string {
	const bodies = normalizeBody(input.rawBody);
	const body = input.goVersion === 'go1.22' ? bodies[bodies.length - 1] : bodies[0];
	return hmacSha256(input.secret, signedMessage(input.method, input.url, normalizeQuery(input.rawQuery), body)).toString('hex');
}

export interface VerifyRequestInput {
	method: string;
	/** URLs klink may have been given for this webhook (without query), most likely first. */
	signedUrls: string[];
	rawQuery: string;
	rawBody: Buffer;
	/** From parseSignatureHeader. */
	signature: Buffer;
	/** Current secret first, then the previous one during a rotation. */
	secrets: string[];
}

export type VerifyResult = { valid: true; secretIndex: number; urlIndex: number } | { valid: false; reason: string };

/**
 * Checks an x-signature against every secret, candidate URL and NormalizedBody candidate (see normalizeBody),
 * in that order of nesting, and stops at the first match. The body and query are normalized once per request.
 * Comparisons take constant time; reasons never contain a secret.
 */
export function verifyKlinkSignature(input: VerifyRequestInput): VerifyResult {
	const { secrets, signedUrls, signature } = input;
	if (secrets.length === 0) return { valid: false, reason: 'no signature secret is configured' };
	if (signedUrls.length === 0) return { valid: false, reason: 'no URL to check the signature against' };
	if (signature.length !== 32) return { valid: false, reason: 'the signature is not 32 bytes' };

	let bodies: Buffer[];
	try {
		bodies = normalizeBody(input.rawBody);
	} catch (error) {
		// Fail closed: anything else would be a bug in the normalizer, still no reason to accept the request.
		return { valid: false, reason: error instanceof BodyNotJsonError ? 'body is not JSON' : 'body could not be normalized' };
	}
	const query = normalizeQuery(input.rawQuery);

	for (let secretIndex = 0; secretIndex < secrets.length; secretIndex++) {
		for (let urlIndex = 0; urlIndex < signedUrls.length; urlIndex++) {
			for (const body of bodies) {
				const expected = hmacSha256(secrets[secretIndex], signedMessage(input.method, signedUrls[urlIndex], query, body));
				if (timingSafeEqual(expected, signature)) return { valid: true, secretIndex, urlIndex };
			}
		}
	}
	return {
		valid: false,
		reason: `signature does not match (tried ${secrets.length} secret(s) and ${signedUrls.length} URL(s))`,
	};
}
