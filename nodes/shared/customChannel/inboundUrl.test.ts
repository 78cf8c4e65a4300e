import { checkInboundUrl } from './inboundUrl';

const GOOD = 'https://me.klink.cloud/custom-channel/7f3c9a1e2b4d/5e8a0c6f9d21/webhook';

describe('checkInboundUrl', () => {
	it('accepts the documented shape without notes and gives a masked form', () => {
		expect(checkInboundUrl(GOOD)).toEqual({
			ok: true,
			url: GOOD,
			masked: 'https://me.klink.cloud/custom-channel/***',
			notes: [],
		});
	});

	it('trims surrounding whitespace from a pasted URL', () => {
		expect(checkInboundUrl(`  ${GOOD}\n`)).toMatchObject({ ok: true, url: GOOD });
	});

	it('accepts another https path but says it is unusual', () => {
		const result = checkInboundUrl('https://inbox.example.com/hooks/abcdef123456');
		expect(result.ok).toBe(true);
		if (result.ok) expect(result.notes.join(' ')).toContain('usual shape');
	});

	it('accepts plain http for this machine only', () => {
		expect(checkInboundUrl('http://127.0.0.1:8080/custom-channel/a/b/webhook').ok).toBe(true);
		expect(checkInboundUrl('http://localhost/custom-channel/a/b/webhook').ok).toBe(true);
		const remote = checkInboundUrl('http://me.klink.cloud/custom-channel/a/b/webhook');
		expect(remote).toMatchObject({ ok: false });
		if (!remote.ok) expect(remote.reason).toContain('must use https');
	});

	it.each([
		['empty', ''],
		['not a string', 42],
		['not a URL', 'me.klink.cloud/custom-channel/x/y/webhook'],
		['with spaces inside', 'https://me.klink.cloud/custom channel/x/y/webhook'],
		['another scheme', 'ftp://me.klink.cloud/custom-channel/x/y/webhook'],
		['no path', 'https://me.klink.cloud/'],
		['with user info', 'https://user:pass@me.klink.cloud/custom-channel/x/y/webhook'],
	])('rejects a URL that is %s', (_label, value) => {
		expect(checkInboundUrl(value).ok).toBe(false);
	});

	it('never repeats the secret parts in its messages', () => {
		const secret = 'https://me.klink.cloud/custom-channel/7f3c9a1e2b4d/5e8a0c6f9d21/webhook';
		for (const value of [secret.replace('https', 'http'), secret.replace('https', 'ftp'), `${secret} x`]) {
			const result = checkInboundUrl(value);
			const text = JSON.stringify(result);
			expect(text).not.toContain('7f3c9a1e2b4d');
		}
	});
});
