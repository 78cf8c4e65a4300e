import { goRuneLength, writeUtf8 } from './goUtf8';

// Go's utf8.DecodeRune accepts exactly the well-formed sequences of Unicode's table 3-7, which is also what a
// fatal WHATWG TextDecoder accepts; only their handling of broken sequences differs (checked by the body vectors).
const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function wellFormedLength(bytes: Uint8Array): number {
	for (let length = 2; length <= Math.min(4, bytes.length); length++) {
		try {
			if ([...fatalDecoder.decode(bytes.subarray(0, length))].length === 1) return length;
		} catch {
			// not well-formed at this length
		}
	}
	return 0;
}

describe('goRuneLength', () => {
	const interesting = [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff];

	test('accepts exactly the well-formed sequences, for every lead byte from 0x80', () => {
		const disagreements: string[] = [];
		for (let lead = 0x80; lead <= 0xff; lead++) {
			for (const second of interesting) {
				for (const third of interesting) {
					for (const fourth of [0x41, 0x80, 0xbf, 0xc0]) {
						const bytes = Uint8Array.of(lead, second, third, fourth);
						const expected = wellFormedLength(bytes);
						if (goRuneLength(bytes, 0, bytes.length) !== expected) disagreements.push(Buffer.from(bytes).toString('hex'));
					}
				}
			}
		}
		expect(disagreements).toEqual([]);
	});

	test('sees a sequence cut by the end of the range as invalid', () => {
		const euro = Buffer.from('€');
		expect(goRuneLength(euro, 0, 3)).toBe(3);
		expect(goRuneLength(euro, 0, 2)).toBe(0);
		expect(goRuneLength(Buffer.from('😀'), 0, 3)).toBe(0);
	});
});

describe('writeUtf8', () => {
	test('writes every scalar value as Buffer.from does', () => {
		const target = new Uint8Array(4);
		const wrong: number[] = [];
		for (let codePoint = 0; codePoint <= 0x10ffff; codePoint += codePoint < 0x10000 ? 1 : 61) {
			if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue;
			const expected = Buffer.from(String.fromCodePoint(codePoint));
			const length = writeUtf8(target, 0, codePoint);
			if (!expected.equals(target.subarray(0, length))) wrong.push(codePoint);
		}
		expect(wrong).toEqual([]);
	});
});
