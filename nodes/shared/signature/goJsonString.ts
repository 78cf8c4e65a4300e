import { BodyNotJsonError } from './bodyNotJsonError';
import type { ByteWriter } from './byteWriter';
import type { PassthroughOutput } from './passthroughOutput';
import { goRuneLength, writeUtf8 } from './goUtf8';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const REPLACEMENT_CHARACTER = 0xfffd;
const HEX_DIGITS = '0123456789abcdef';

/**
 * ASCII bytes Go's encoder writes as they are (its htmlSafeSet): printable, minus `"`, `\`, `<`, `>` and `&`.
 * DEL (0x7f) is written raw too. Bytes from 0x80 are 0 here: they start multi-byte sequences, checked apart.
 */
export const COPIED_AS_IS = new Uint8Array(256);
for (let byte = 0x20; byte < 0x80; byte++) COPIED_AS_IS[byte] = 1;
for (const byte of [QUOTE, BACKSLASH, 0x3c, 0x3e, 0x26]) COPIED_AS_IS[byte] = 0;

/** The value of one hex digit, or -1; Go's getu4 accepts both cases. */
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let digit = 0; digit < 16; digit++) {
	HEX_VALUE[HEX_DIGITS.charCodeAt(digit)] = digit;
	HEX_VALUE[HEX_DIGITS.toUpperCase().charCodeAt(digit)] = digit;
}

/** Escapes Go writes back as they are: \" \\ \n \r \t. */
const KEPT_SHORT_ESCAPE = new Uint8Array(256);
for (const letter of '"\\nrt') KEPT_SHORT_ESCAPE[letter.charCodeAt(0)] = 1;

/** The character each short escape (`\n` etc.) stands for; 0 marks letters that are not escapes. */
const SHORT_ESCAPE = new Uint8Array(128);
SHORT_ESCAPE[QUOTE] = QUOTE;
SHORT_ESCAPE[BACKSLASH] = BACKSLASH;
SHORT_ESCAPE[0x2f] = 0x2f;
SHORT_ESCAPE[0x62] = 0x08;
SHORT_ESCAPE[0x66] = 0x0c;
SHORT_ESCAPE[0x6e] = 0x0a;
SHORT_ESCAPE[0x72] = 0x0d;
SHORT_ESCAPE[0x74] = 0x09;

/**
 * Reads one JSON string the way Go's decoder does (invalid UTF-8 and lone surrogate escapes become U+FFFD) and
 * writes it the way Go's encoder does (HTML characters, U+2028, U+2029 and controls escaped, the rest raw UTF-8).
 * Strings without escapes or anything to rewrite pass through untouched, which is the common case.
 */
export class GoJsonStringCodec {
	/** Offset just after the closing quote of the string last read. */
	end = 0;
	/** Whether the last string's decoded bytes equal its raw bytes (no escape, no invalid UTF-8). */
	decodedIsRaw = true;
	/** Set once a written string held U+0008 or U+000C, which Go 1.22 and later encode differently. */
	wroteBackspaceOrFormFeed = false;
	/** Offset just after the escape last read by readEscape. */
	private escapeEnd = 0;

	/**
	 * Passes the string whose opening quote is at `quote` to `output` in Go's encoding: as it is, except for the
	 * parts Go writes differently. A caller that already scanned a plain ASCII prefix resumes at `resumeAt`.
	 */
	encode(output: PassthroughOutput, quote: number, resumeAt = quote + 1): void {
		const input = output.input;
		const length = input.length;
		let index = resumeAt;
		let decodedIsRaw = true;
		for (;;) {
			while (index < length && COPIED_AS_IS[input[index]] === 1) index++;
			if (index >= length) throw new BodyNotJsonError(index, 'unterminated string');
			const byte = input[index];
			if (byte >= 0x80) {
				// Three-byte sequences (Thai, CJK, kana...) inline; E2 may be U+2028/2029 and ED a surrogate.
				if (byte >= 0xe0 && byte <= 0xef && byte !== 0xe2 && byte !== 0xed && index + 2 < length) {
					const second = input[index + 1];
					if (second >= (byte === 0xe0 ? 0xa0 : 0x80) && second <= 0xbf && (input[index + 2] & 0xc0) === 0x80) {
						index += 3;
						continue;
					}
				}
				const runeLength = goRuneLength(input, index, length);
				if (runeLength === 0) {
					decodedIsRaw = false;
					output.cut(index, index + 1);
					this.writeCodePoint(REPLACEMENT_CHARACTER, output.written);
					index++;
				} else if (byte === 0xe2 && input[index + 1] === 0x80 && (input[index + 2] & 0xfe) === 0xa8) {
					output.cut(index, index + 3);
					this.writeCodePoint(0x2028 + input[index + 2] - 0xa8, output.written);
					index += 3;
				} else {
					index += runeLength;
				}
				continue;
			}
			if (byte === QUOTE) {
				this.end = index + 1;
				this.decodedIsRaw = decodedIsRaw;
				return;
			}
			if (byte === BACKSLASH) {
				decodedIsRaw = false;
				if (KEPT_SHORT_ESCAPE[input[index + 1]] === 1) {
					index += 2;
					continue;
				}
				const codePoint = this.readEscape(input, index);
				output.cut(index, this.escapeEnd);
				this.writeCodePoint(codePoint, output.written);
				index = this.escapeEnd;
				continue;
			}
			if (byte < 0x20) throw new BodyNotJsonError(index, 'control character in string');
			output.cut(index, index + 1);
			this.writeCodePoint(byte, output.written);
			index++;
		}
	}

	/**
	 * Writes the decoded UTF-8 bytes of the string at `quote` (no quotes, nothing escaped): the bytes Go compares
	 * when it sorts map keys. Only called after encode() accepted the same string.
	 */
	decode(input: Uint8Array, quote: number, out: ByteWriter): void {
		const length = input.length;
		let index = quote + 1;
		for (;;) {
			const byte = input[index];
			if (byte === QUOTE) return;
			if (byte === BACKSLASH) {
				const codePoint = this.readEscape(input, index);
				out.reserve(4);
				out.length = writeUtf8(out.bytes, out.length, codePoint);
				index = this.escapeEnd;
			} else if (byte < 0x80) {
				out.byte(byte);
				index++;
			} else {
				const runeLength = goRuneLength(input, index, length);
				if (runeLength === 0) {
					out.reserve(3);
					out.length = writeUtf8(out.bytes, out.length, REPLACEMENT_CHARACTER);
					index++;
				} else {
					out.range(input, index, index + runeLength);
					index += runeLength;
				}
			}
		}
	}

	/** Decodes the escape at `backslash` to a code point, pairing surrogate escapes as Go's unquote does. */
	private readEscape(input: Uint8Array, backslash: number): number {
		const letter = input[backslash + 1];
		if (letter !== 0x75) {
			const decoded = letter < 0x80 ? SHORT_ESCAPE[letter] : 0;
			if (decoded === 0) throw new BodyNotJsonError(backslash + 1, 'invalid escape in string');
			this.escapeEnd = backslash + 2;
			return decoded;
		}
		const unit = readHex4(input, backslash + 2);
		if (unit < 0) throw new BodyNotJsonError(backslash + 2, 'invalid \\u escape in string');
		this.escapeEnd = backslash + 6;
		if (unit < 0xd800 || unit > 0xdfff) return unit;
		// A high surrogate pairs only with an immediately following low-surrogate escape; anything else
		// (a lone half, or a reversed pair) decodes to U+FFFD and the next escape is read on its own.
		if (unit < 0xdc00 && input[backslash + 6] === BACKSLASH && input[backslash + 7] === 0x75) {
			const low = readHex4(input, backslash + 8);
			if (low >= 0xdc00 && low <= 0xdfff) {
				this.escapeEnd = backslash + 12;
				return 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
			}
		}
		return REPLACEMENT_CHARACTER;
	}

	/** Writes one decoded code point as Go's encodeState.string does. */
	private writeCodePoint(codePoint: number, out: ByteWriter): void {
		if (codePoint >= 0x80) {
			if (codePoint === 0x2028 || codePoint === 0x2029) {
				out.ascii(codePoint === 0x2028 ? '\\u2028' : '\\u2029');
				return;
			}
			out.reserve(4);
			out.length = writeUtf8(out.bytes, out.length, codePoint);
			return;
		}
		if (COPIED_AS_IS[codePoint] === 1) {
			out.byte(codePoint);
			return;
		}
		out.byte(BACKSLASH);
		switch (codePoint) {
			case QUOTE:
			case BACKSLASH:
				out.byte(codePoint);
				return;
			case 0x0a:
				out.byte(0x6e);
				return;
			case 0x0d:
				out.byte(0x72);
				return;
			case 0x09:
				out.byte(0x74);
				return;
			case 0x08:
			case 0x0c:
				this.wroteBackspaceOrFormFeed = true;
				break;
		}
		// Go 1.19 writes every other control character, and <, > and &, as \u00XX with lowercase hex.
		out.ascii('u00');
		out.byte(HEX_DIGITS.charCodeAt(codePoint >> 4));
		out.byte(HEX_DIGITS.charCodeAt(codePoint & 0xf));
	}
}

/** The 16-bit value of four hex digits at `offset`, or -1. */
function readHex4(input: Uint8Array, offset: number): number {
	if (offset + 4 > input.length) return -1;
	const a = HEX_VALUE[input[offset]];
	const b = HEX_VALUE[input[offset + 1]];
	const c = HEX_VALUE[input[offset + 2]];
	const d = HEX_VALUE[input[offset + 3]];
	if ((a | b | c | d) < 0) return -1;
	return (a << 12) | (b << 8) | (c << 4) | d;
}
