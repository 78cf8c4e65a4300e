import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { itemFieldReader, plainJsonField } from './itemFields';

describe('plainJsonField', () => {
	it.each([
		['={{ $json.content }}', 'content'],
		['={{$json.content}}', 'content'],
		['={{ $json["sender name"] }}', 'sender name'],
		["={{ $json['id'] }}", 'id'],
		['={{ $json.$x_1 }}', '$x_1'],
	])('reads %s as the item field %s', (raw, key) => {
		expect(plainJsonField(raw)).toBe(key);
	});

	it.each([
		['a constant', 'content'],
		['a nested path', '={{ $json.a.b }}'],
		['a method call', '={{ $json.a.trim() }}'],
		['text around the expression', '={{ $json.a }} !'],
		['two expressions', '={{ $json.a }}{{ $json.b }}'],
		['another node', "={{ $('Input').item.json.a }}"],
		['an escaped key', '={{ $json["a\\"b"] }}'],
		['an empty key', '={{ $json[""] }}'],
		['not a string', 42],
	])('leaves %s to n8n', (_label, raw) => {
		expect(plainJsonField(raw)).toBeUndefined();
	});
});

describe('itemFieldReader', () => {
	/** A context whose n8n evaluation of `$json.text` reads `connectionInput`, as n8n's does. */
	function context(raw: string, connectionInput: Array<{ text?: unknown }>) {
		const calls: number[] = [];
		const fake = {
			getNodeParameter: (_name: string, itemIndex: number, _fallback: unknown, options?: { rawExpressions?: boolean }) => {
				if (options?.rawExpressions) return raw;
				calls.push(itemIndex);
				return raw.startsWith('=') ? connectionInput[itemIndex]?.text : raw;
			},
		} as unknown as IExecuteFunctions;
		return { fake, calls };
	}
	const items = (...texts: unknown[]): INodeExecutionData[] => texts.map((text) => ({ json: { text } as IDataObject }));

	it('reads items directly once n8n agreed on the first one', () => {
		const input = items('a', 'b', 'c');
		const { fake, calls } = context('={{ $json.text }}', input.map((item) => item.json));
		const read = itemFieldReader(fake, 'text', input);
		expect([0, 1, 2].map(read)).toEqual(['a', 'b', 'c']);
		expect(calls).toEqual([0]);
	});

	it('leaves every item to n8n when its `$json` is not the node input (an AI tool call)', () => {
		const input = items('tool argument');
		const { fake, calls } = context('={{ $json.text }}', [{ text: 'agent item' }]);
		const read = itemFieldReader(fake, 'text', input);
		expect(read(0)).toBe('agent item');
		expect(calls).toEqual([0]);
	});

	it('reads a constant once for all items', () => {
		const { fake, calls } = context('text', []);
		const read = itemFieldReader(fake, 'messageType', items(1, 2, 3));
		expect([0, 1, 2].map(read)).toEqual(['text', 'text', 'text']);
		expect(calls).toEqual([0]);
	});
});
