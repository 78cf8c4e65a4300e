import { fromBase64, loadGoVectors } from '../../../test/go/goVectors';
import { ByteWriter } from './byteWriter';
import { emitInKeyOrder, KeyComparer, type ObjectMember } from './objectMembers';

const vectors = loadGoVectors();

/** Members for `keys` (raw UTF-8, no escapes), their `start` being their position in the list. */
function membersFor(keys: string[]): { comparer: KeyComparer; members: ObjectMember[] } {
	const input = Buffer.from(keys.join(''));
	const comparer = new KeyComparer(input, new ByteWriter(0));
	let offset = 0;
	const members = keys.map((key, index) => {
		const length = Buffer.byteLength(key);
		const member = comparer.member(true, offset, offset + length, index);
		offset += length;
		return member;
	});
	return { comparer, members };
}

describe('KeyComparer.goMapOrder', () => {
	test.each(['plain key order', 'integer-like keys', 'astral keys against U+E000 and above'])('orders the keys of "%s" as Go does', (name) => {
		const vector = vectors.body.find((candidate) => candidate.name === name);
		if (vector?.normalized === undefined) throw new Error(`vectors.json lacks "${name}"`);
		// Go's output lists the keys in its order; a regular expression reads them without JSON.parse's reordering.
		const goOrder = [...fromBase64(vector.normalized).toString().matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((match) => match[1]);
		const sourceOrder = [...fromBase64(vector.input).toString().matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((match) => match[1]);
		const raw = sourceOrder.map((key) => JSON.parse(`"${key}"`) as string);
		const { comparer, members } = membersFor(raw);
		expect(comparer.goMapOrder(members).map((member) => raw[member.start])).toEqual(goOrder.map((key) => JSON.parse(`"${key}"`) as string));
	});

	test('keeps the last of repeated keys', () => {
		const { comparer, members } = membersFor(['b', 'a', 'b', 'c', 'a']);
		expect(comparer.goMapOrder(members).map((member) => member.start)).toEqual([4, 2, 3]);
	});

	test('sorts long objects (beyond insertion sort) the same way', () => {
		const keys = Array.from({ length: 40 }, (_, index) => `key${(index * 7) % 40}`);
		const { comparer, members } = membersFor([...keys, 'key3']);
		const ordered = comparer.goMapOrder(members).map((member) => [...keys, 'key3'][member.start]);
		expect(ordered).toEqual([...new Set(keys)].sort());
		expect(comparer.goMapOrder(members).find((member) => [...keys, 'key3'][member.start] === 'key3')?.start).toBe(40);
	});
});

describe('emitInKeyOrder', () => {
	test('rewrites nested reordered objects, each byte once', () => {
		const text = '[{"b":1,"a":{"d":2,"c":3}},{"z":0}]';
		const writer = new ByteWriter(2 * text.length);
		writer.ascii(text);
		const member = (start: number, end: number): ObjectMember => ({ keyInInput: true, keyStart: 0, keyEnd: 0, keyPrefix: 0, start, end });
		const inner = { start: text.indexOf('{"d"'), end: text.indexOf('}') + 1, hasReorderedInside: false };
		const outer = { start: 1, end: text.indexOf('}}') + 2, hasReorderedInside: true };
		const result = emitInKeyOrder(writer, [
			{ ...inner, members: [member(text.indexOf('"c"'), text.indexOf('3') + 1), member(text.indexOf('"d"'), text.indexOf('2') + 1)] },
			{ ...outer, members: [member(text.indexOf('"a"'), inner.end), member(text.indexOf('"b"'), text.indexOf('1') + 1)] },
		]);
		expect(Buffer.from(result).toString()).toBe('[{"a":{"c":3,"d":2},"b":1},{"z":0}]');
	});

	test('returns the written bytes as they are when nothing is reordered', () => {
		const writer = new ByteWriter(16);
		writer.ascii('{"a":1}');
		expect(Buffer.from(emitInKeyOrder(writer, [])).toString()).toBe('{"a":1}');
	});
});
