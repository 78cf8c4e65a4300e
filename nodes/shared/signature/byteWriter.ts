/** A growable byte buffer: the normalizer writes its output (and decoded keys) here without building strings. */
export class ByteWriter {
	bytes: Uint8Array;
	length = 0;

	constructor(initialCapacity: number) {
		// allocUnsafe skips zero-filling: every byte is written before it is read.
		this.bytes = Buffer.allocUnsafe(Math.max(64, initialCapacity));
	}

	/** Makes room for `count` more bytes; callers may then write into `bytes` at `length` directly. */
	reserve(count: number): void {
		const needed = this.length + count;
		if (needed <= this.bytes.length) return;
		const grown = Buffer.allocUnsafe(Math.max(needed, this.bytes.length * 2));
		grown.set(this.bytes.subarray(0, this.length));
		this.bytes = grown;
	}

	byte(value: number): void {
		if (this.length === this.bytes.length) this.reserve(1);
		this.bytes[this.length++] = value;
	}

	/** Appends `source[start, end)`. */
	range(source: Uint8Array, start: number, end: number): void {
		this.reserve(end - start);
		this.length = copyBytes(source, start, end, this.bytes, this.length);
	}

	/** Appends a string whose characters are all below U+0080. */
	ascii(text: string): void {
		this.reserve(text.length);
		const bytes = this.bytes;
		let offset = this.length;
		for (let index = 0; index < text.length; index++) bytes[offset++] = text.charCodeAt(index);
		this.length = offset;
	}

	/** The written bytes as a Buffer sharing this writer's memory. */
	toBuffer(): Buffer {
		return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.length);
	}
}

/**
 * Copies `source[start, end)` to `target` at `offset` and returns the offset after it. Short ranges are copied
 * in a loop: a native copy costs a fixed few hundred nanoseconds, more than a key or a number takes by hand.
 */
export function copyBytes(source: Uint8Array, start: number, end: number, target: Uint8Array, offset: number): number {
	if (end - start > 64) {
		target.set(source.subarray(start, end), offset);
		return offset + (end - start);
	}
	for (let index = start; index < end; index++) target[offset++] = source[index];
	return offset;
}
