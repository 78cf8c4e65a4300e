import { describeUnreachableWebhookUrl, unreachableWebhookUrlWarning } from './publicReachability';

describe('describeUnreachableWebhookUrl', () => {
	it.each([
		'http://localhost:5678/webhook/x/klink',
		'http://127.0.0.1:5678/webhook/x/klink',
		'http://10.1.2.3/webhook',
		'http://172.20.0.5/webhook',
		'http://192.168.1.10/webhook',
		'http://169.254.1.1/webhook',
		'http://100.64.0.1/webhook',
		'http://[::1]:5678/webhook',
		'http://[fd00::1]/webhook',
		'http://[::ffff:192.168.0.1]/webhook',
		'http://n8n.local/webhook',
		'http://n8n/webhook',
		'not a url',
	])('warns about %s', (url) => {
		expect(describeUnreachableWebhookUrl(url)).toEqual(expect.any(String));
	});

	it.each(['https://n8n.example.com/webhook/x/klink', 'http://172.32.0.1/webhook', 'https://8.8.8.8/hook', 'http://[2001:db8::1]/x'])(
		'accepts %s',
		(url) => {
			expect(describeUnreachableWebhookUrl(url)).toBeUndefined();
		},
	);
});

describe('unreachableWebhookUrlWarning', () => {
	it('names the URL, why klink cannot reach it and the setting that fixes it', () => {
		expect(unreachableWebhookUrlWarning('http://127.0.0.1:5678/webhook-test/abc/klink')).toBe(
			'klink.cloud cannot reach http://127.0.0.1:5678/webhook-test/abc/klink (127.0.0.1 is this machine only). ' +
				'Set WEBHOOK_URL (n8n 1.x) or N8N_WEBHOOK_URL (n8n 2.x) to the public address of this n8n.',
		);
	});

	it('is undefined for a public URL', () => {
		expect(unreachableWebhookUrlWarning('https://n8n.example.com/webhook/abc/klink')).toBeUndefined();
	});
});
