import { fromBase64, loadGoVectors } from '../../../test/go/goVectors';
import { BodyNotJsonError } from './bodyNotJsonError';
import { normalizeGoJson } from './goJsonNormalizer';

const vectors = loadGoVectors();

function vector(name: string) {
	const found = vectors.body.find((candidate) => candidate.name === name);
	if (found === undefined) throw new Error(`vectors.json lacks "${name}"`);
	return found;
}

describe('normalizeGoJson', () => {
	test.each(['nesting depth 10000', 'nesting depth 10000 mixed', 'nesting depth 10000 of unsorted objects'])(
		'handles %s (Go\'s limit) without recursion',
		(name) => {
			const { input, normalized } = vector(name);
			expect(normalizeGoJson(fromBase64(input)).body).toEqual(fromBase64(normalized ?? ''));
		},
	);

	test.each(['nesting depth 10001', 'nesting depth 10001 mixed'])('rejects %s as Go does', (name) => {
		expect(() => normalizeGoJson(fromBase64(vector(name).input))).toThrow(BodyNotJsonError);
	});

	test('flags output that holds U+0008 or U+000C', () => {
		expect(normalizeGoJson(fromBase64(vector('backspace').input)).hasBackspaceOrFormFeed).toBe(true);
		expect(normalizeGoJson(fromBase64(vector('escaped backslash then b').input)).hasBackspaceOrFormFeed).toBe(false);
	});

	test('returns bytes of its own, not a view of the input', () => {
		const input = Buffer.from('{"a":1}');
		const { body } = normalizeGoJson(input);
		input.fill(0x20);
		expect(body.toString()).toBe('{"a":1}');
	});
});
