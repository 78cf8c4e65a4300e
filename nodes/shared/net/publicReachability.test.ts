import { describeUnreachableWebhookUrl } from './publicReachability';

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
