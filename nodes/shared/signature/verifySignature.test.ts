import { fromBase64, loadGoVectors } from '../../../test/go/goVectors';
import * as normalizeBodyModule from './normalizeBody';
import { parseSignatureHeader, signKlinkRequest, verifyKlinkSignature } from './verifySignature';

const vectors = loadGoVectors();
const HEX = 'a3f1c0de'.repeat(8);

describe('parseSignatureHeader', () => {
	test.each([
		['bare lower-case hex', HEX],
		['bare upper-case hex', HEX.toUpperCase()],
		['HMAC-SHA256 scheme', `HMAC-SHA256 ${HEX}`],
		['sha256= prefix', `sha256=${HEX}`],
		['Signature scheme', `Signature ${HEX}`],
		['surrounding white space', `  ${HEX} `],
	])('reads %s', (_name, value) => {
		expect(parseSignatureHeader({ 'x-signature': value })).toEqual(Buffer.from(HEX, 'hex'));
	});

	test.each([
		['63 hex digits', HEX.slice(1)],
		['65 hex digits', `${HEX}0`],
		['a non-hex digit', `${HEX.slice(1)}g`],
		['base64', Buffer.from(HEX, 'hex').toString('base64')],
		['two scheme words', `HMAC SHA256 ${HEX}`],
		['an empty value', ''],
	])('rejects %s', (_name, value) => {
		expect(parseSignatureHeader({ 'x-signature': value })).toBeUndefined();
	});

	test('falls back to authorization only without x-signature', () => {
		expect(parseSignatureHeader({ authorization: `HMAC-SHA256 ${HEX}` })).toEqual(Buffer.from(HEX, 'hex'));
		expect(parseSignatureHeader({ 'x-signature': HEX, authorization: `Bearer ${'0'.repeat(64)}` })).toEqual(Buffer.from(HEX, 'hex'));
		expect(parseSignatureHeader({ 'x-signature': 'nonsense', authorization: HEX })).toBeUndefined();
		expect(parseSignatureHeader({ authorization: 'Basic dXNlcjpwYXNz' })).toBeUndefined();
		expect(parseSignatureHeader({})).toBeUndefined();
	});

	test('takes the first of repeated headers and any header-name case', () => {
		expect(parseSignatureHeader({ 'x-signature': [HEX, 'other'] })).toEqual(Buffer.from(HEX, 'hex'));
		expect(parseSignatureHeader({ 'X-Signature': HEX })).toEqual(Buffer.from(HEX, 'hex'));
	});
});

describe(`signKlinkRequest and verifyKlinkSignature against ${vectors.goVersion} signatures`, () => {
	test.each(vectors.signature.map((vector) => [vector.name, vector] as const))('%s', (_name, vector) => {
		const request = { method: vector.method, url: vector.url, rawQuery: vector.query, rawBody: fromBase64(vector.body) };
		expect(signKlinkRequest({ ...request, secret: vector.secret })).toBe(vector.signature);
		expect(signKlinkRequest({ ...request, secret: vector.secret, goVersion: 'go1.22' })).toBe(vector.signatureGo122 ?? vector.signature);

		for (const signature of [vector.signature, vector.signatureGo122 ?? vector.signature]) {
			const result = verifyKlinkSignature({
				method: vector.method,
				signedUrls: [vector.url],
				rawQuery: vector.query,
				rawBody: request.rawBody,
				signature: Buffer.from(signature, 'hex'),
				secrets: [vector.secret],
			});
			expect(result).toEqual({ valid: true, secretIndex: 0, urlIndex: 0 });
		}
	});
});

describe('verifyKlinkSignature', () => {
	const vector = vectors.signature.find((candidate) => candidate.name === 'event with query');
	if (vector === undefined) throw new Error('vectors.json lacks the "event with query" case');
	const rawBody = fromBase64(vector.body);
	const base = {
		method: vector.method,
		rawQuery: vector.query,
		rawBody,
		signature: Buffer.from(vector.signature, 'hex'),
	};
	const otherUrl = `${vector.url}/`;

	afterEach(() => jest.restoreAllMocks());

	test('reports which secret and which URL matched', () => {
		expect(verifyKlinkSignature({ ...base, signedUrls: [otherUrl, vector.url], secrets: ['rotated-new', vector.secret] })).toEqual({
			valid: true,
			secretIndex: 1,
			urlIndex: 1,
		});
	});

	test('rejects a signature made with another secret, without naming any secret', () => {
		const secrets = ['not-the-secret-1', 'not-the-secret-2'];
		const result = verifyKlinkSignature({ ...base, signedUrls: [vector.url, otherUrl], secrets });
		expect(result.valid).toBe(false);
		if (!result.valid) for (const secret of [...secrets, vector.secret]) expect(result.reason).not.toContain(secret);
	});

	test('rejects a changed body, query, method or URL', () => {
		const ok = { ...base, signedUrls: [vector.url], secrets: [vector.secret] };
		expect(verifyKlinkSignature(ok).valid).toBe(true);
		expect(verifyKlinkSignature({ ...ok, rawBody: Buffer.from(rawBody.toString().replace('Somchai', 'Somchat')) }).valid).toBe(false);
		expect(verifyKlinkSignature({ ...ok, rawQuery: `${vector.query}&z=1` }).valid).toBe(false);
		expect(verifyKlinkSignature({ ...ok, method: 'PUT' }).valid).toBe(false);
		expect(verifyKlinkSignature({ ...ok, signedUrls: [otherUrl] }).valid).toBe(false);
	});

	test('accepts the same body with other spacing and key order, as normalization intends', () => {
		const simple = vectors.signature.find((candidate) => candidate.name === 'previous secret');
		if (simple === undefined) throw new Error('vectors.json lacks the "previous secret" case');
		const original = JSON.parse(fromBase64(simple.body).toString()) as Record<string, unknown>;
		const reversed = Object.fromEntries(Object.entries(original).reverse());
		const result = verifyKlinkSignature({
			method: simple.method,
			signedUrls: [simple.url],
			rawQuery: simple.query,
			rawBody: Buffer.from(JSON.stringify(reversed, null, 3)),
			signature: Buffer.from(simple.signature, 'hex'),
			secrets: [simple.secret],
		});
		expect(result.valid).toBe(true);
	});

	test('answers "body is not JSON" for a body Go would reject', () => {
		expect(verifyKlinkSignature({ ...base, rawBody: Buffer.from('{"a":1,}'), signedUrls: [vector.url], secrets: [vector.secret] })).toEqual({
			valid: false,
			reason: 'body is not JSON',
		});
	});

	test('rejects configurations and signatures it cannot check', () => {
		expect(verifyKlinkSignature({ ...base, signedUrls: [vector.url], secrets: [] }).valid).toBe(false);
		expect(verifyKlinkSignature({ ...base, signedUrls: [], secrets: [vector.secret] }).valid).toBe(false);
		expect(verifyKlinkSignature({ ...base, signature: Buffer.alloc(31), signedUrls: [vector.url], secrets: [vector.secret] }).valid).toBe(false);
	});

	test('normalizes the body once per request, whatever the number of candidates', () => {
		const spy = jest.spyOn(normalizeBodyModule, 'normalizeBody');
		const result = verifyKlinkSignature({ ...base, signedUrls: ['https://a.example/1', 'https://a.example/2', 'https://a.example/3'], secrets: ['x', 'y'] });
		expect(result.valid).toBe(false);
		expect(spy).toHaveBeenCalledTimes(1);
	});
});
