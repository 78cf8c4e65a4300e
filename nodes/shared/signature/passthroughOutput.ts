import { ByteWriter, copyBytes } from './byteWriter';

/**
 * The normalizer's output, written mostly by reference to the input: Go's output of a compact document is
 * largely its input, so input bytes are passed through as runs and copied once per run, and only where the
 * output differs (dropped whitespace, rewritten escapes, reformatted numbers) is anything written by hand.
 */
export class PassthroughOutput {
	readonly written: ByteWriter;
	/** Input offset where the run not yet copied to `written` starts; the run ends at the reader's position. */
	private runStart = 0;

	constructor(readonly input: Uint8Array) {
		// Room for the output and, after it, the reordered copy emitInKeyOrder may make.
		this.written = new ByteWriter(2 * input.length + 64);
	}

	/** Output offset that input offset `inputOffset` (inside the current run) will have. */
	outputOffset(inputOffset: number): number {
		return this.written.length + (inputOffset - this.runStart);
	}

	/** Ends the run at `inputOffset` and copies it out; the next run starts at `resumeAt`, dropping what is between. */
	cut(inputOffset: number, resumeAt: number): void {
		const written = this.written;
		written.reserve(inputOffset - this.runStart);
		written.length = copyBytes(this.input, this.runStart, inputOffset, written.bytes, written.length);
		this.runStart = resumeAt;
	}

	/** Drops input `[from, to)` from the output. */
	skip(from: number, to: number): void {
		if (to > from) this.cut(from, to);
	}

	/** The complete output once the reader has reached `inputEnd`. */
	finish(inputEnd: number): ByteWriter {
		this.cut(inputEnd, inputEnd);
		return this.written;
	}
}
