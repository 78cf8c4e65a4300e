import { fromBase64, loadGoVectors } from '../../../test/go/goVectors';
import { BodyNotJsonError } from './bodyNotJsonError';
import { formatGoFloat64, writeGoNumber } from './goJsonNumber';
import { PassthroughOutput } from './passthroughOutput';

const vectors = loadGoVectors();

function write(text: string): string {
	const input = Buffer.from(text);
	const output = new PassthroughOutput(input);
	const end = writeGoNumber(output, 0);
	return output.finish(end).toBuffer().toString();
}

/** [literal, Go's output] pairs: the single-number vectors and the elements of the number arrays. */
function numberPairs(): Array<[string, string]> {
	const pairs: Array<[string, string]> = [];
	for (const vector of vectors.body) {
		if (vector.normalized === undefined) continue;
		const input = fromBase64(vector.input).toString();
		const normalized = fromBase64(vector.normalized).toString();
		if (vector.name.startsWith('number ')) pairs.push([input, normalized]);
		if (vector.name === 'random float64 in many notations') {
			const literals = input.slice(1, -1).split(',');
			const outputs = normalized.slice(1, -1).split(',');
			expect(outputs).toHaveLength(literals.length);
			literals.forEach((literal, index) => pairs.push([literal, outputs[index]]));
		}
	}
	return pairs;
}

describe('writeGoNumber', () => {
	const pairs = numberPairs();

	test(`formats ${pairs.length} literals as Go's encoding/json does`, () => {
		expect(pairs.length).toBeGreaterThan(3000);
		expect(pairs.filter(([literal, expected]) => write(literal) !== expected)).toEqual([]);
	});

	test('returns the offset after the number and leaves what follows', () => {
		const input = Buffer.from('12.50,');
		expect(writeGoNumber(new PassthroughOutput(input), 0)).toBe(5);
	});

	test.each(['-', '01x', '1.', '.5', '1e', '1e+', '+1', '-a'])('rejects %s (or stops before what is not part of it)', (text) => {
		let rejected = false;
		let end = -1;
		try {
			end = writeGoNumber(new PassthroughOutput(Buffer.from(text)), 0);
		} catch (error) {
			rejected = error instanceof BodyNotJsonError;
		}
		// "01x" reads as 0 followed by something else, which the caller then rejects.
		expect(rejected || end < text.length).toBe(true);
	});
});

describe('formatGoFloat64', () => {
	test('keeps the sign of zero and writes non-finite values (out of float64 range) as null', () => {
		expect(formatGoFloat64(-0)).toBe(write('-0'));
		expect(formatGoFloat64(Infinity)).toBe(write('1e400'));
		expect(formatGoFloat64(-Infinity)).toBe(write('-1e400'));
	});
});
