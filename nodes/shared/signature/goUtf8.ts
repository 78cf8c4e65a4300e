/**
 * UTF-8 validation with the rules of Go's utf8.DecodeRune: a well-formed sequence (no overlong forms, no
 * surrogates, nothing above U+10FFFF) is one rune; anything else is RuneError of width one, so every byte of a
 * broken sequence becomes its own U+FFFD. WHATWG decoders (TextDecoder, Buffer#toString) instead replace a
 * truncated sequence with a single U+FFFD, which is why they cannot be used where bytes must match Go.
 */

/** Per lead byte: the sequence length (0: not a lead byte) and the range its second byte must fall in. */
const SEQUENCE_LENGTH = new Uint8Array(256);
const SECOND_LOW = new Uint8Array(256).fill(0x80);
const SECOND_HIGH = new Uint8Array(256).fill(0xbf);
for (let lead = 0xc2; lead <= 0xdf; lead++) SEQUENCE_LENGTH[lead] = 2;
for (let lead = 0xe0; lead <= 0xef; lead++) SEQUENCE_LENGTH[lead] = 3;
for (let lead = 0xf0; lead <= 0xf4; lead++) SEQUENCE_LENGTH[lead] = 4;
SECOND_LOW[0xe0] = 0xa0; // no overlong three-byte forms
SECOND_HIGH[0xed] = 0x9f; // no surrogates
SECOND_LOW[0xf0] = 0x90; // no overlong four-byte forms
SECOND_HIGH[0xf4] = 0x8f; // nothing above U+10FFFF

/** Length of the well-formed sequence starting at `index` (lead byte >= 0x80), or 0 when Go sees RuneError. */
export function goRuneLength(bytes: Uint8Array, index: number, end: number): number {
	const lead = bytes[index];
	const length = SEQUENCE_LENGTH[lead];
	if (length === 0 || index + length > end) return 0;
	const second = bytes[index + 1];
	if (second < SECOND_LOW[lead] || second > SECOND_HIGH[lead]) return 0;
	if (length === 2) return 2;
	if ((bytes[index + 2] & 0xc0) !== 0x80) return 0;
	if (length === 3) return 3;
	return (bytes[index + 3] & 0xc0) === 0x80 ? 4 : 0;
}

/** Writes `codePoint` (a scalar value, not a surrogate) as UTF-8 at `offset`; returns the new offset. */
export function writeUtf8(target: Uint8Array, offset: number, codePoint: number): number {
	if (codePoint < 0x80) {
		target[offset] = codePoint;
		return offset + 1;
	}
	if (codePoint < 0x800) {
		target[offset] = 0xc0 | (codePoint >> 6);
		target[offset + 1] = 0x80 | (codePoint & 0x3f);
		return offset + 2;
	}
	if (codePoint < 0x10000) {
		target[offset] = 0xe0 | (codePoint >> 12);
		target[offset + 1] = 0x80 | ((codePoint >> 6) & 0x3f);
		target[offset + 2] = 0x80 | (codePoint & 0x3f);
		return offset + 3;
	}
	target[offset] = 0xf0 | (codePoint >> 18);
	target[offset + 1] = 0x80 | ((codePoint >> 12) & 0x3f);
	target[offset + 2] = 0x80 | ((codePoint >> 6) & 0x3f);
	target[offset + 3] = 0x80 | (codePoint & 0x3f);
	return offset + 4;
}
