import { ByteWriter, copyBytes } from './byteWriter';

describe('ByteWriter', () => {
	test('grows and keeps what was written', () => {
		const writer = new ByteWriter(1);
		const source = Buffer.from('x'.repeat(100) + 'yz'.repeat(100));
		writer.ascii('{"');
		writer.range(source, 0, 100);
		writer.byte(0x3a);
		writer.range(source, 100, 300);
		expect(writer.toBuffer().toString()).toBe(`{"${'x'.repeat(100)}:${'yz'.repeat(100)}`);
	});

	test('reserve leaves room to write into bytes directly', () => {
		const writer = new ByteWriter(64);
		writer.ascii('a'.repeat(60));
		writer.reserve(10);
		expect(writer.bytes.length).toBeGreaterThanOrEqual(70);
		writer.bytes.fill(0x62, 60, 70);
		writer.length = 70;
		expect(writer.toBuffer().toString()).toBe('a'.repeat(60) + 'b'.repeat(10));
	});
});

describe('copyBytes', () => {
	test.each([0, 1, 64, 65, 500])('copies %i bytes to an offset and returns the offset after them', (count) => {
		const source = Buffer.from(Array.from({ length: 600 }, (_, index) => index % 251));
		const target = new Uint8Array(700);
		expect(copyBytes(source, 50, 50 + count, target, 7)).toBe(7 + count);
		expect(Buffer.from(target.subarray(7, 7 + count))).toEqual(source.subarray(50, 50 + count));
		expect(target[6]).toBe(0);
		expect(target[7 + count]).toBe(0);
	});
});
