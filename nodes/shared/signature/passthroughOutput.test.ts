import { PassthroughOutput } from './passthroughOutput';

describe('PassthroughOutput', () => {
	test('passes input through, drops skipped ranges and keeps offsets in step', () => {
		const input = Buffer.from('{ "a" : 1 }');
		const output = new PassthroughOutput(input);
		expect(output.outputOffset(0)).toBe(0);
		output.skip(1, 2); // space after {
		expect(output.outputOffset(2)).toBe(1);
		output.skip(5, 6);
		output.skip(7, 8);
		output.skip(9, 10);
		expect(output.outputOffset(10)).toBe(6);
		expect(Buffer.from(output.finish(input.length).toBuffer())).toEqual(Buffer.from('{"a":1}'));
	});

	test('cut replaces a range with whatever is written after it', () => {
		const input = Buffer.from('"a\\/b"');
		const output = new PassthroughOutput(input);
		output.cut(2, 4);
		output.written.byte(0x2f);
		expect(output.finish(input.length).toBuffer().toString()).toBe('"a/b"');
	});

	test('skipping nothing writes nothing', () => {
		const input = Buffer.from('[1]');
		const output = new PassthroughOutput(input);
		output.skip(1, 1);
		expect(output.written.length).toBe(0);
		expect(output.finish(3).toBuffer().toString()).toBe('[1]');
	});
});
