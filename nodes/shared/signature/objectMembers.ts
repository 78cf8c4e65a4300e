import type { ByteWriter } from './byteWriter';

/**
 * Go decodes a JSON object into a map (a repeated key keeps its last value) and json.Marshal writes map entries
 * sorted by key bytes. The normalizer writes members in source order; an object whose keys were not already
 * strictly increasing is recorded with its members in Go's order and rearranged once at the end (emitInKeyOrder),
 * so that every output byte is copied once however deeply such objects nest.
 */

/** One `"key":value` as written to the normalizer's output. */
export interface ObjectMember {
	/** Whether the key's decoded bytes are its raw bytes in the input; otherwise they are in the key store. */
	keyInInput: boolean;
	keyStart: number;
	keyEnd: number;
	/** The first four key bytes, big-endian, zero-padded: most comparisons end here. */
	keyPrefix: number;
	/** Output range of the whole member, from the key's opening quote to the end of the value. */
	start: number;
	end: number;
}

/** An object whose members must be written in another order than they were read. */
export interface ReorderedObject {
	/** Output offset of its `{`. */
	start: number;
	/** Output offset just after its `}`. */
	end: number;
	/** Members to write, in order; repeated keys left out. */
	members: ObjectMember[];
	/** Whether a reordered object is nested in it; if not, each member is copied as one range. */
	hasReorderedInside: boolean;
}

/** Up to this many members, insertion sort beats Array#sort and its comparator calls. */
const INSERTION_SORT_LIMIT = 16;

/** Compares the decoded key bytes of two members, as Go compares strings. */
export class KeyComparer {
	constructor(
		private readonly input: Uint8Array,
		private readonly keyStore: { bytes: Uint8Array },
	) {}

	/** A member for a key held at `[keyStart, keyEnd)` of the input or of the key store. */
	member(keyInInput: boolean, keyStart: number, keyEnd: number, start: number): ObjectMember {
		const bytes = keyInInput ? this.input : this.keyStore.bytes;
		let keyPrefix: number;
		if (keyEnd - keyStart >= 4) {
			keyPrefix = ((bytes[keyStart] << 24) | (bytes[keyStart + 1] << 16) | (bytes[keyStart + 2] << 8) | bytes[keyStart + 3]) >>> 0;
		} else {
			keyPrefix = 0;
			for (let offset = 0; offset < 4; offset++) {
				keyPrefix = keyPrefix * 256 + (keyStart + offset < keyEnd ? bytes[keyStart + offset] : 0);
			}
		}
		return { keyInInput, keyStart, keyEnd, keyPrefix, start, end: -1 };
	}

	compare(left: ObjectMember, right: ObjectMember): number {
		if (left.keyPrefix !== right.keyPrefix) return left.keyPrefix - right.keyPrefix;
		const leftBytes = left.keyInInput ? this.input : this.keyStore.bytes;
		const rightBytes = right.keyInInput ? this.input : this.keyStore.bytes;
		const leftLength = left.keyEnd - left.keyStart;
		const rightLength = right.keyEnd - right.keyStart;
		const shared = leftLength < rightLength ? leftLength : rightLength;
		for (let offset = 4; offset < shared; offset++) {
			const difference = leftBytes[left.keyStart + offset] - rightBytes[right.keyStart + offset];
			if (difference !== 0) return difference;
		}
		return leftLength - rightLength;
	}

	/** Members sorted by key with, for each repeated key, only the last one read. */
	goMapOrder(members: ObjectMember[]): ObjectMember[] {
		// Both sorts are stable, so members with equal keys stay in reading order and the last of each run wins.
		let sorted: ObjectMember[];
		if (members.length > INSERTION_SORT_LIMIT) {
			sorted = members.slice().sort((left, right) => this.compare(left, right));
		} else {
			sorted = members.slice();
			for (let index = 1; index < sorted.length; index++) {
				const member = sorted[index];
				let position = index;
				while (position > 0 && this.compare(sorted[position - 1], member) > 0) {
					sorted[position] = sorted[position - 1];
					position--;
				}
				sorted[position] = member;
			}
		}
		const kept: ObjectMember[] = [];
		for (let index = 0; index < sorted.length; index++) {
			const next = sorted[index + 1];
			if (next === undefined || this.compare(sorted[index], next) !== 0) kept.push(sorted[index]);
		}
		return kept;
	}
}

interface CopyFrame {
	position: number;
	end: number;
}

interface ObjectFrame {
	object: ReorderedObject;
	next: number;
}

/**
 * Rewrites the output with each reordered object's members in their recorded order, into the space after the
 * written bytes of the same buffer (copyWithin is the cheapest native copy). Iterative, so that 10000 nested
 * objects (Go's limit) cannot exhaust the call stack.
 */
export function emitInKeyOrder(writer: ByteWriter, reordered: ReorderedObject[]): Uint8Array {
	const writtenLength = writer.length;
	if (reordered.length === 0) return writer.bytes.subarray(0, writtenLength);
	const byStart = reordered.slice().sort((left, right) => left.start - right.start);
	writer.reserve(writtenLength);
	const bytes = writer.bytes;
	let length = writtenLength;
	const frames: Array<CopyFrame | ObjectFrame> = [{ position: 0, end: writtenLength }];
	while (frames.length > 0) {
		const frame = frames[frames.length - 1];
		if ('object' in frame) {
			const members = frame.object.members;
			if (frame.next === members.length) {
				bytes[length++] = 0x7d;
				frames.pop();
				continue;
			}
			if (frame.next > 0) bytes[length++] = 0x2c;
			const member = members[frame.next++];
			frames.push({ position: member.start, end: member.end });
			continue;
		}
		const object = firstStartingAtOrAfter(byStart, frame.position);
		if (object === undefined || object.start >= frame.end) {
			length = copyWithin(bytes, frame.position, frame.end, length);
			frames.pop();
			continue;
		}
		length = copyWithin(bytes, frame.position, object.start, length);
		frame.position = object.end;
		bytes[length++] = 0x7b;
		if (object.hasReorderedInside) {
			frames.push({ object, next: 0 });
			continue;
		}
		// The common case, an object with nothing reordered inside: its members are plain ranges.
		const members = object.members;
		for (let index = 0; index < members.length; index++) {
			if (index > 0) bytes[length++] = 0x2c;
			length = copyWithin(bytes, members[index].start, members[index].end, length);
		}
		bytes[length++] = 0x7d;
	}
	return bytes.subarray(writtenLength, length);
}

/** Copies `bytes[start, end)` to `offset` of the same array; a loop for the few bytes a native call costs more. */
function copyWithin(bytes: Uint8Array, start: number, end: number, offset: number): number {
	if (end - start > 12) {
		bytes.copyWithin(offset, start, end);
		return offset + (end - start);
	}
	for (let index = start; index < end; index++) bytes[offset++] = bytes[index];
	return offset;
}

function firstStartingAtOrAfter(sorted: ReorderedObject[], position: number): ReorderedObject | undefined {
	let low = 0;
	let high = sorted.length;
	while (low < high) {
		const middle = (low + high) >>> 1;
		if (sorted[middle].start < position) low = middle + 1;
		else high = middle;
	}
	return sorted[low];
}
