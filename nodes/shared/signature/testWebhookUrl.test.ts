import { testUrlFromProductionUrl } from './testWebhookUrl';

describe('testUrlFromProductionUrl', () => {
	const production = 'https://n8n.example.com/webhook/0b7e6c1a-1111-4222-8333-944445555666/klink';

	it('swaps the endpoint segment for the one the test request arrived on', () => {
		expect(testUrlFromProductionUrl(production, '/webhook-test/0b7e6c1a-1111-4222-8333-944445555666/klink')).toBe(
			'https://n8n.example.com/webhook-test/0b7e6c1a-1111-4222-8333-944445555666/klink',
		);
	});

	it('follows a custom test endpoint name (N8N_ENDPOINT_WEBHOOK_TEST) and ignores the query', () => {
		expect(testUrlFromProductionUrl(production, '/try-hooks/0b7e6c1a-1111-4222-8333-944445555666/klink?x=1')).toBe(
			'https://n8n.example.com/try-hooks/0b7e6c1a-1111-4222-8333-944445555666/klink',
		);
	});

	it('keeps a base path of the public webhook URL that a proxy strips', () => {
		expect(
			testUrlFromProductionUrl('https://example.com/n8n/hooks/abc/klink', '/hooks-test/abc/klink'),
		).toBe('https://example.com/n8n/hooks-test/abc/klink');
	});

	it('is the Production URL itself for a request on the production endpoint', () => {
		expect(testUrlFromProductionUrl(production, new URL(production).pathname)).toBe(production);
	});

	it('gives up when the paths do not share the webhook path', () => {
		expect(testUrlFromProductionUrl(production, '/webhook-test/other-id/klink')).toBeUndefined();
		expect(testUrlFromProductionUrl(production, '/klink')).toBeUndefined();
		expect(testUrlFromProductionUrl('not a url', '/webhook-test/abc/klink')).toBeUndefined();
	});
});
