import { plainJsonField } from './itemFields';

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
