import { signedUrlCandidates } from './signedUrlCandidates';

describe('signedUrlCandidates', () => {
	const production = 'https://n8n.example.com/webhook/abc/klink';
	const test = 'https://editor.example.com/webhook-test/abc/klink';

	it('tries the production URL, then with the raw query, then the bare path', () => {
		expect(signedUrlCandidates({ productionUrl: production, rawQuery: 'b=2&a=1' })).toEqual([
			production,
			`${production}?b=2&a=1`,
			'/webhook/abc/klink',
			'/webhook/abc/klink?b=2&a=1',
		]);
	});

	it('has no query variants without a query', () => {
		expect(signedUrlCandidates({ productionUrl: production, rawQuery: '' })).toEqual([production, '/webhook/abc/klink']);
	});

	it('uses only the override when one is set', () => {
		expect(signedUrlCandidates({ productionUrl: production, rawQuery: 'a=1', override: ' https://proxy.example.com/klink ' })).toEqual([
			'https://proxy.example.com/klink',
		]);
	});

	it('tries the Test URL first on a test request, and still the Production URL', () => {
		expect(signedUrlCandidates({ productionUrl: production, testUrl: test, rawQuery: '' })).toEqual([
			test,
			'/webhook-test/abc/klink',
			production,
			'/webhook/abc/klink',
		]);
	});

	it('keeps the Test URL beside an override on a test request', () => {
		expect(signedUrlCandidates({ productionUrl: production, testUrl: test, rawQuery: '', override: 'https://proxy.example.com/klink' })).toEqual([
			test,
			'/webhook-test/abc/klink',
			'https://proxy.example.com/klink',
		]);
	});
});
