import { readHeader } from './requestHeaders';

describe('readHeader', () => {
	it('reads a header whatever the case of its name or of the stored name', () => {
		expect(readHeader({ 'x-signature': 'ab' }, 'X-Signature')).toBe('ab');
		expect(readHeader({ 'X-Api-Key': 'k' }, 'x-api-key')).toBe('k');
	});

	it('takes the first of repeated values, keeps the value as sent, and is undefined when absent', () => {
		expect(readHeader({ authorization: ['Bearer a ', 'Bearer b'] }, 'authorization')).toBe('Bearer a ');
		expect(readHeader({}, 'authorization')).toBeUndefined();
	});
});
