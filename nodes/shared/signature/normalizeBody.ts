import { normalizeGoJson } from './goJsonNormalizer';

export { BodyNotJsonError } from './bodyNotJsonError';

const EMPTY = Buffer.alloc(0);

/**
 * The NormalizedBody candidates for klink's signature: the raw body decoded by Go's json.Unmarshal into
 * interface{} and written back by json.Marshal, byte for byte.
 *
 * Normally one candidate. When a string holds U+0008 or U+000C there are two: Go 1.19 to 1.21 write them as
 * \u0008 and \u000c (first candidate), Go 1.22 and later as \b and \f (second), and which Go klink builds with
 * is not known.
 *
 * An empty body gives one empty candidate: Go's Unmarshal rejects it, so klink's sender cannot sign a
 * normalized form of it, and a body-less request (GET) is signed over method, URL and query alone.
 * A non-empty body that Go rejects (syntax, nesting deeper than 10000) throws BodyNotJsonError.
 */
export function normalizeBody(raw: Buffer): Buffer[] {
	if (raw.length === 0) return [EMPTY];
	const { body, hasBackspaceOrFormFeed } = normalizeGoJson(raw);
	if (!hasBackspaceOrFormFeed) return [body];
	const go122 = toGo122Escapes(body);
	return go122.equals(body) ? [body] : [body, go122];
}

/**
 * Rewrites \u0008 and \u000c to \b and \f in encoding/json output. Every backslash there starts an escape, so
 * walking escape by escape never mistakes an escaped backslash followed by "u0008" for one.
 */
function toGo122Escapes(body: Buffer): Buffer {
	const result = Buffer.allocUnsafe(body.length);
	let length = 0;
	for (let index = 0; index < body.length; index++) {
		const byte = body[index];
		result[length++] = byte;
		if (byte !== 0x5c) continue;
		const letter = body[index + 1];
		if (letter === 0x75 && body[index + 2] === 0x30 && body[index + 3] === 0x30 && body[index + 4] === 0x30) {
			const last = body[index + 5];
			if (last === 0x38 || last === 0x63) {
				result[length++] = last === 0x38 ? 0x62 : 0x66;
				index += 5;
				continue;
			}
		}
		result[length++] = letter;
		index++;
	}
	return result.subarray(0, length);
}
