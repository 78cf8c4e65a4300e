import { signedUrlCandidates } from './signedUrlCandidates';

describe('signedUrlCandidates', () => {
	const production = 'https://n8n.example.com/webhook/abc/klink';

	it('tries the production URL, then with the raw query, then the bare path', () => {
		expect(signedUrlCandidates(production, 'b=2&a=1')).toEqual([
			production,
			`${production}?b=2&a=1`,
			'/webhook/abc/klink',
			'/webhook/abc/klink?b=2&a=1',
		]);
	});

	it('has no query variants without a query', () => {
		expect(signedUrlCandidates(production, '')).toEqual([production, '/webhook/abc/klink']);
	});

	it('uses only the override when one is set', () => {
		expect(signedUrlCandidates(production, 'a=1', ' https://proxy.example.com/klink ')).toEqual(['https://proxy.example.com/klink']);
	});
});
