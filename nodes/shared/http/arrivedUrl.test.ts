import { urlAsArrived } from './arrivedUrl';

describe('urlAsArrived', () => {
	const path = '/webhook/abc/klink?x=1';

	it('uses the Host header and the protocol n8n saw', () => {
		expect(urlAsArrived({ host: '127.0.0.1:5678' }, path)).toBe('http://127.0.0.1:5678/webhook/abc/klink');
		expect(urlAsArrived({ host: 'n8n.example.com' }, path, 'https')).toBe('https://n8n.example.com/webhook/abc/klink');
	});

	it('prefers the first X-Forwarded-Host and X-Forwarded-Proto a proxy set', () => {
		expect(
			urlAsArrived({ host: '10.0.0.5:5678', 'x-forwarded-host': 'hooks.example.com, inner.example', 'x-forwarded-proto': 'HTTPS,http' }, path),
		).toBe('https://hooks.example.com/webhook/abc/klink');
	});

	it('drops default ports as a browser would', () => {
		expect(urlAsArrived({ host: 'hooks.example.com:443', 'x-forwarded-proto': 'https' }, path)).toBe('https://hooks.example.com/webhook/abc/klink');
	});

	it('is undefined without a host or with an unknown protocol', () => {
		expect(urlAsArrived({}, path)).toBeUndefined();
		expect(urlAsArrived({ host: 'a.example', 'x-forwarded-proto': 'ftp' }, path)).toBeUndefined();
		expect(urlAsArrived({ host: 'bad host/' }, path)).toBeUndefined();
	});
});
