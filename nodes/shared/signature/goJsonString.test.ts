import { fromBase64, loadGoVectors } from '../../../test/go/goVectors';
import { ByteWriter } from './byteWriter';
import { BodyNotJsonError } from './bodyNotJsonError';
import { GoJsonStringCodec } from './goJsonString';
import { PassthroughOutput } from './passthroughOutput';

const vectors = loadGoVectors();
/** Go vectors whose whole body is one JSON string, with what Go wrote for it. */
const stringVectors = [...vectors.body, ...vectors.randomBody]
	.map((vector) => ({ name: vector.name, input: fromBase64(vector.input), normalized: vector.normalized }))
	.filter(({ input, normalized }) => normalized !== undefined && input[0] === 0x22);

function encode(input: Buffer): { written: Buffer; codec: GoJsonStringCodec } {
	const output = new PassthroughOutput(input);
	const codec = new GoJsonStringCodec();
	codec.encode(output, 0);
	return { written: Buffer.from(output.finish(codec.end).toBuffer()), codec };
}

describe('GoJsonStringCodec.encode', () => {
	test('has string vectors to check', () => {
		expect(stringVectors.length).toBeGreaterThan(40);
	});

	test.each(stringVectors.map((vector) => [vector.name, vector] as const))('writes %s as Go does', (_name, vector) => {
		expect(encode(vector.input).written.toString('latin1')).toBe(fromBase64(vector.normalized ?? '').toString('latin1'));
	});

	test('says whether the decoded bytes are the raw ones', () => {
		expect(encode(Buffer.from('"plain <&> é 😀 \u2028"')).codec.decodedIsRaw).toBe(true);
		expect(encode(Buffer.from('"a\\nb"')).codec.decodedIsRaw).toBe(false);
		expect(encode(Buffer.from('"caf\xe9"', 'latin1')).codec.decodedIsRaw).toBe(false);
	});

	test('notes U+0008 and U+000C, which Go 1.22 writes differently', () => {
		expect(encode(Buffer.from('"a\\\\b"')).codec.wroteBackspaceOrFormFeed).toBe(false);
		expect(encode(Buffer.from('"a\\fb"')).codec.wroteBackspaceOrFormFeed).toBe(true);
	});

	test.each([
		['an unterminated string', '"abc'],
		['a raw control character', '"a\tb"'],
		['an unknown escape', '"\\x41"'],
		['a short \\u escape', '"\\u12"'],
		['a backslash at the end', '"\\'],
	])('rejects %s', (_name, text) => {
		expect(() => encode(Buffer.from(text))).toThrow(BodyNotJsonError);
	});
});

describe('GoJsonStringCodec.decode', () => {
	// Where Go's output has no escape at all, its bytes between the quotes are the decoded string.
	const unescaped = stringVectors.filter((vector) => !fromBase64(vector.normalized ?? '').includes(0x5c));

	test.each(unescaped.map((vector) => [vector.name, vector] as const))('decodes %s to the bytes Go holds', (_name, vector) => {
		const codec = new GoJsonStringCodec();
		codec.encode(new PassthroughOutput(vector.input), 0);
		const decoded = new ByteWriter(16);
		codec.decode(vector.input, 0, decoded);
		const normalized = fromBase64(vector.normalized ?? '');
		expect(decoded.toBuffer().toString('latin1')).toBe(normalized.subarray(1, normalized.length - 1).toString('latin1'));
	});
});
