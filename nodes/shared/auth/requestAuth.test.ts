import { constantTimeEqual } from './constantTimeEqual';
import { checkBasicAuth, checkHeaderAuth } from './requestAuth';

const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

describe('checkHeaderAuth', () => {
	it('accepts the exact header value, case-insensitive on the name', () => {
		expect(checkHeaderAuth({ authorization: 'Bearer abc' }, 'Authorization', 'Bearer abc')).toEqual({ ok: true });
	});

	it('rejects a wrong, missing or incomplete header', () => {
		expect(checkHeaderAuth({ authorization: 'Bearer abd' }, 'Authorization', 'Bearer abc')).toEqual({
			ok: false,
			reason: 'wrong authorization header',
		});
		expect(checkHeaderAuth({}, 'X-Klink-Key', 'k')).toEqual({ ok: false, reason: 'missing x-klink-key header' });
		expect(checkHeaderAuth({ 'x-klink-key': '' }, 'X-Klink-Key', '').ok).toBe(false);
	});
});

describe('checkBasicAuth', () => {
	it('accepts the user and password', () => {
		expect(checkBasicAuth({ authorization: basic('klink:s3cret:with:colons') }, 'klink', 's3cret:with:colons')).toEqual({
			ok: true,
		});
	});

	it('rejects wrong credentials, other schemes and a missing header', () => {
		expect(checkBasicAuth({ authorization: basic('klink:nope') }, 'klink', 's3cret').ok).toBe(false);
		expect(checkBasicAuth({ authorization: 'Bearer x' }, 'klink', 's3cret').ok).toBe(false);
		expect(checkBasicAuth({}, 'klink', 's3cret').ok).toBe(false);
	});
});

describe('constantTimeEqual', () => {
	it('compares values of any length', () => {
		expect(constantTimeEqual('a', 'a')).toBe(true);
		expect(constantTimeEqual('a', 'ab')).toBe(false);
		expect(constantTimeEqual(Buffer.from('x'), 'x')).toBe(true);
	});
});
