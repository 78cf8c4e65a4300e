/**
 * NormalizedQuery for klink's signature, as its Go sender computes it: url.ParseQuery(rawQuery), keys sorted,
 * each key's values sorted, written as fmt.Sprintf("%s=%v", key, values) (`key=[v1 v2]`) and joined by '&'.
 *
 * ParseQuery (Go 1.17 and later) splits on '&' only, skips empty segments, skips a segment holding ';' and a
 * segment whose key or value has a bad %-escape, splits key from value at the first '=', and unescapes both
 * ('+' is a space). Unescaped bytes need not be UTF-8, so the work is done on bytes: each byte is one character
 * of a latin1 string, in which JavaScript's string order is Go's byte order.
 *
 * A string `rawQuery` is taken as UTF-8 (Node's HTTP parser only hands over ASCII request targets); a Buffer is
 * taken as the exact bytes.
 */
export function normalizeQuery(rawQuery: string | Buffer): Buffer {
	const query = (typeof rawQuery === 'string' ? Buffer.from(rawQuery, 'utf8') : rawQuery).toString('latin1');
	if (query === '') return Buffer.alloc(0);
	const valuesByKey = new Map<string, string[]>();
	for (const segment of query.split('&')) {
		if (segment === '' || segment.includes(';')) continue;
		const equals = segment.indexOf('=');
		const key = queryUnescape(equals === -1 ? segment : segment.slice(0, equals));
		const value = queryUnescape(equals === -1 ? '' : segment.slice(equals + 1));
		if (key === undefined || value === undefined) continue;
		const values = valuesByKey.get(key);
		if (values === undefined) valuesByKey.set(key, [value]);
		else values.push(value);
	}
	const pairs: string[] = [];
	for (const key of [...valuesByKey.keys()].sort()) {
		pairs.push(`${key}=[${(valuesByKey.get(key) ?? []).sort().join(' ')}]`);
	}
	return Buffer.from(pairs.join('&'), 'latin1');
}

const HEX_PAIR = /^[0-9a-fA-F]{2}$/;

/** Go's url.QueryUnescape on a latin1 string of bytes; undefined where Go returns an error. */
function queryUnescape(text: string): string | undefined {
	if (!text.includes('%')) return text.includes('+') ? text.replace(/\+/g, ' ') : text;
	let result = '';
	for (let index = 0; index < text.length; index++) {
		const char = text[index];
		if (char === '+') {
			result += ' ';
		} else if (char === '%') {
			const hex = text.slice(index + 1, index + 3);
			if (!HEX_PAIR.test(hex)) return undefined;
			result += String.fromCharCode(parseInt(hex, 16));
			index += 2;
		} else {
			result += char;
		}
	}
	return result;
}
