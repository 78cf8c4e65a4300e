import { describeSignedUrlMismatch } from './signedUrlMismatch';

describe('describeSignedUrlMismatch', () => {
	it('names the URL klink signed and both fixes', () => {
		const text = describeSignedUrlMismatch('https://hooks.example.com/webhook/abc/klink', 'http://10.0.0.5:5678/webhook/abc/klink');
		expect(text).toContain('klink signed https://hooks.example.com/webhook/abc/klink');
		expect(text).toContain('does not match http://10.0.0.5:5678/webhook/abc/klink');
		expect(text).toContain('Signed URL');
		expect(text).toMatch(/WEBHOOK_URL on n8n 1\.x, N8N_WEBHOOK_URL on 2\.x/);
	});
});
