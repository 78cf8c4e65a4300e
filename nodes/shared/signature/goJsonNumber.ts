import { BodyNotJsonError } from './bodyNotJsonError';
import type { PassthroughOutput } from './passthroughOutput';

const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** Doubles round-trip every decimal of up to 15 significant digits (DBL_DIG), so such literals need no parsing. */
const EXACT_DIGITS = 15;

function isDigit(byte: number): boolean {
	return byte >= ZERO && byte <= NINE;
}

/**
 * Reads the JSON number at `start` (Go's scanner grammar) and passes on what Go's decoder and encoder make of it:
 * the float64 nearest to it, formatted as encoding/json formats float64. Returns the offset after the number.
 *
 * Go formats with strconv 'f' for 1e-6 <= |x| < 1e21 and 'e' otherwise (exponent "e-07" cleaned to "e-7"), in
 * both cases with the shortest digits that round-trip; JavaScript's Number#toString switches notation at the same
 * bounds and also prints the shortest round-trip digits, with the same exponent spelling ("1e+21", "1e-7"), so the
 * only difference is -0, which Go keeps. A literal out of float64 range (1e400) makes Go's Unmarshal report an
 * error yet keep decoding with nil in its place, which the sender then signs as null: it is written as null here.
 */
export function writeGoNumber(output: PassthroughOutput, start: number): number {
	const input = output.input;
	const length = input.length;
	let index = start;
	if (input[index] === MINUS) index++;
	const integerStart = index;
	if (index < length && input[index] === ZERO) {
		index++;
	} else if (index < length && isDigit(input[index])) {
		while (index < length && isDigit(input[index])) index++;
	} else {
		throw new BodyNotJsonError(index, 'invalid number');
	}
	const integerDigits = index - integerStart;

	let fractionStart = -1;
	let fractionEnd = -1;
	if (index < length && input[index] === DOT) {
		fractionStart = ++index;
		while (index < length && isDigit(input[index])) index++;
		if (index === fractionStart) throw new BodyNotJsonError(index, 'invalid number');
		fractionEnd = index;
	}

	let hasExponent = false;
	if (index < length && (input[index] | 0x20) === 0x65) {
		hasExponent = true;
		index++;
		if (index < length && (input[index] === PLUS || input[index] === MINUS)) index++;
		const exponentStart = index;
		while (index < length && isDigit(input[index])) index++;
		if (index === exponentStart) throw new BodyNotJsonError(index, 'invalid number');
	}

	if (hasExponent || !isAlreadyShortest(input, integerStart, integerDigits, fractionStart, fractionEnd)) {
		output.cut(start, index);
		output.written.ascii(formatGoFloat64(Number(latin1(input, start, index))));
	}
	return index;
}

/**
 * Whether a literal without exponent is already Go's output: an integer of at most 15 digits ("-0" included),
 * or a fraction of at most 15 significant digits, no trailing zero, and not below 1e-6.
 */
function isAlreadyShortest(
	input: Uint8Array,
	integerStart: number,
	integerDigits: number,
	fractionStart: number,
	fractionEnd: number,
): boolean {
	if (fractionStart < 0) return integerDigits <= EXACT_DIGITS;
	if (input[fractionEnd - 1] === ZERO) return false;
	const fractionDigits = fractionEnd - fractionStart;
	if (integerDigits > 1 || input[integerStart] !== ZERO) return integerDigits + fractionDigits <= EXACT_DIGITS;
	let leadingZeros = 0;
	while (input[fractionStart + leadingZeros] === ZERO) leadingZeros++;
	return leadingZeros <= 5 && fractionDigits - leadingZeros <= EXACT_DIGITS;
}

/** encoding/json's float64 text for a value JSON.parse-style decoding produced. */
export function formatGoFloat64(value: number): string {
	if (value === 0) return Object.is(value, -0) ? '-0' : '0';
	if (!Number.isFinite(value)) return 'null';
	return String(value);
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
	let text = '';
	for (let index = start; index < end; index++) text += String.fromCharCode(bytes[index]);
	return text;
}
