import { BodyNotJsonError } from './bodyNotJsonError';
import { ByteWriter } from './byteWriter';
import { writeGoNumber } from './goJsonNumber';
import { COPIED_AS_IS, GoJsonStringCodec } from './goJsonString';
import { emitInKeyOrder, KeyComparer, type ObjectMember, type ReorderedObject } from './objectMembers';
import { PassthroughOutput } from './passthroughOutput';

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** Go's scanner rejects a document nested deeper than this (maxNestingDepth). */
const MAX_NESTING_DEPTH = 10000;

/** JSON whitespace: space, tab, LF, CR. Go, like JSON.parse, accepts nothing else. */
const IS_WHITESPACE = new Uint8Array(256);
IS_WHITESPACE[0x20] = IS_WHITESPACE[0x09] = IS_WHITESPACE[0x0a] = IS_WHITESPACE[0x0d] = 1;

const LITERALS: ReadonlyArray<Uint8Array> = ['true', 'false', 'null'].map((word) => Buffer.from(word));

interface ObjectFrame {
	/** Output offset of the object's `{`. */
	start: number;
	members: ObjectMember[];
	/** Whether the keys so far are strictly increasing, so that source order is Go's order. */
	inOrder: boolean;
	/** How many reordered objects had been recorded when this one opened. */
	reorderedBefore: number;
	/** The member whose value is being read. */
	current: ObjectMember | null;
}

/** Arrays need no state while being read; null stands for each of them on the stack. */
type Frame = ObjectFrame | null;

export interface GoJsonNormalized {
	/** json.Marshal(json.Unmarshal(input)) as Go 1.19 to 1.21 write it. */
	body: Buffer;
	/** Whether a string in the output may hold U+0008 or U+000C, which Go 1.22 and later write as \b and \f. */
	hasBackspaceOrFormFeed: boolean;
}

/**
 * Reads a JSON document from its bytes with the rules of Go's encoding/json decoder into interface{} and writes
 * what json.Marshal makes of the result, in one pass and without building JavaScript values: the output is the
 * input wherever Go would write the same bytes, and only differences are written by hand.
 */
export function normalizeGoJson(raw: Buffer): GoJsonNormalized {
	return new GoJsonNormalizer(new Uint8Array(raw.buffer, raw.byteOffset, raw.length)).run();
}

class GoJsonNormalizer {
	private readonly output: PassthroughOutput;
	/** Decoded bytes of the keys whose raw bytes differ from them (escapes, invalid UTF-8). */
	private readonly keyStore = new ByteWriter(64);
	private readonly strings = new GoJsonStringCodec();
	private readonly keys: KeyComparer;
	private readonly reordered: ReorderedObject[] = [];

	constructor(private readonly input: Uint8Array) {
		this.output = new PassthroughOutput(input);
		this.keys = new KeyComparer(input, this.keyStore);
	}

	run(): GoJsonNormalized {
		const input = this.input;
		const length = input.length;
		const output = this.output;
		const stack: Frame[] = [];
		let index = this.skipWhitespace(0);
		for (;;) {
			if (index >= length) throw new BodyNotJsonError(index, 'unexpected end of input');
			const byte = input[index];
			if (byte === QUOTE) {
				// Plain ASCII strings are read here; the codec takes over from the first byte that is not.
				let end = index + 1;
				while (COPIED_AS_IS[input[end]] === 1) end++;
				if (input[end] === QUOTE) {
					index = end + 1;
				} else {
					this.strings.encode(output, index, end);
					index = this.strings.end;
				}
			} else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
				if (stack.length >= MAX_NESTING_DEPTH) throw new BodyNotJsonError(index, 'nesting deeper than 10000');
				const start = output.outputOffset(index);
				index = IS_WHITESPACE[input[index + 1]] === 1 ? this.skipWhitespace(index + 1) : index + 1;
				if (input[index] === byte + 2) {
					// `}` and `]` are two code points after `{` and `[`: an empty container.
					index++;
				} else if (byte === OPEN_BRACE) {
					const frame: ObjectFrame = { start, members: [], inOrder: true, reorderedBefore: this.reordered.length, current: null };
					stack.push(frame);
					index = this.readMemberKey(frame, index);
					continue;
				} else {
					stack.push(null);
					continue;
				}
			} else if (byte === 0x2d || (byte >= 0x30 && byte <= 0x39)) {
				index = writeGoNumber(output, index);
			} else {
				index = this.readLiteral(index);
			}

			// A value ended: close the containers it ends, or go on to the next element.
			for (;;) {
				const frame = stack[stack.length - 1];
				if (frame !== undefined && frame !== null && frame.current !== null) frame.current.end = output.outputOffset(index);
				if (IS_WHITESPACE[input[index]] === 1) index = this.skipWhitespace(index);
				if (frame === undefined) {
					if (index !== length) throw new BodyNotJsonError(index, 'data after the top-level value');
					return {
						body: this.finish(),
						hasBackspaceOrFormFeed: this.strings.wroteBackspaceOrFormFeed,
					};
				}
				const next = index < length ? input[index] : -1;
				if (next === COMMA) {
					index = IS_WHITESPACE[input[index + 1]] === 1 ? this.skipWhitespace(index + 1) : index + 1;
					if (frame !== null) index = this.readMemberKey(frame, index);
					break;
				}
				if (frame === null) {
					if (next !== CLOSE_BRACKET) throw new BodyNotJsonError(index, "expected ',' or ']'");
					index++;
				} else {
					if (next !== CLOSE_BRACE) throw new BodyNotJsonError(index, "expected ',' or '}'");
					index++;
					if (!frame.inOrder) this.reorder(frame, index);
				}
				stack.pop();
			}
		}
	}

	/** Reads `"key" :` at `index` and records the member; returns where its value starts. */
	private readMemberKey(frame: ObjectFrame, index: number): number {
		const input = this.input;
		if (input[index] !== QUOTE) throw new BodyNotJsonError(index, 'expected a string key');
		const start = this.output.outputOffset(index);
		// Keys are mostly short plain ASCII: scan them here and leave the rest to the string codec.
		let afterKey = index + 1;
		while (COPIED_AS_IS[input[afterKey]] === 1) afterKey++;
		let decodedIsRaw = true;
		if (input[afterKey] === QUOTE) {
			afterKey++;
		} else {
			this.strings.encode(this.output, index, afterKey);
			afterKey = this.strings.end;
			decodedIsRaw = this.strings.decodedIsRaw;
		}
		let member: ObjectMember;
		if (decodedIsRaw) {
			member = this.keys.member(true, index + 1, afterKey - 1, start);
		} else {
			const keyStart = this.keyStore.length;
			this.strings.decode(input, index, this.keyStore);
			member = this.keys.member(false, keyStart, this.keyStore.length, start);
		}
		const members = frame.members;
		if (frame.inOrder && members.length > 0 && this.keys.compare(members[members.length - 1], member) >= 0) {
			frame.inOrder = false;
		}
		members.push(member);
		frame.current = member;
		let colon = afterKey;
		if (IS_WHITESPACE[input[colon]] === 1) colon = this.skipWhitespace(colon);
		if (input[colon] !== COLON) throw new BodyNotJsonError(colon, "expected ':' after a key");
		return IS_WHITESPACE[input[colon + 1]] === 1 ? this.skipWhitespace(colon + 1) : colon + 1;
	}

	/** Records the object that just closed (before `index`) for emitInKeyOrder, with its members in Go's order. */
	private reorder(frame: ObjectFrame, index: number): void {
		this.reordered.push({
			start: frame.start,
			end: this.output.outputOffset(index),
			members: this.keys.goMapOrder(frame.members),
			hasReorderedInside: this.reordered.length > frame.reorderedBefore,
		});
	}

	private readLiteral(index: number): number {
		const input = this.input;
		for (const literal of LITERALS) {
			if (input[index] !== literal[0]) continue;
			for (let offset = 1; offset < literal.length; offset++) {
				if (input[index + offset] !== literal[offset]) throw new BodyNotJsonError(index, 'invalid literal');
			}
			return index + literal.length;
		}
		throw new BodyNotJsonError(index, 'invalid value');
	}

	/** Skips whitespace at `index`, dropping it from the output; returns the offset after it. */
	private skipWhitespace(index: number): number {
		const input = this.input;
		const start = index;
		while (index < input.length && IS_WHITESPACE[input[index]] === 1) index++;
		this.output.skip(start, index);
		return index;
	}

	private finish(): Buffer {
		const body = emitInKeyOrder(this.output.finish(this.input.length), this.reordered);
		return Buffer.from(body.buffer, body.byteOffset, body.length);
	}
}
