import { BodyNotJsonError } from './bodyNotJsonError';

test('BodyNotJsonError carries the offset and reads "body is not JSON"', () => {
	const error = new BodyNotJsonError(12, 'invalid value');
	expect(error).toBeInstanceOf(Error);
	expect(error.name).toBe('BodyNotJsonError');
	expect(error.offset).toBe(12);
	expect(error.message).toBe('body is not JSON: invalid value at byte 12');
});
