import { describeSecretUrl, maskSecretUrl } from './maskUrl';

const URL_ = 'https://me.klink.cloud/custom-channel/7f3c9a1e2b4d/5e8a0c6f9d21/webhook';
const SECRET_A = '7f3c9a1e2b4d';
const SECRET_B = '5e8a0c6f9d21';

function expectNoSecret(text: string) {
	expect(text).not.toContain(SECRET_A);
	expect(text).not.toContain(SECRET_B);
}

describe('describeSecretUrl', () => {
	it('keeps scheme, host and the public custom-channel segment only', () => {
		expect(describeSecretUrl(URL_)).toBe('https://me.klink.cloud/custom-channel/***');
	});

	it('hides the whole path when its first segment could itself be a secret', () => {
		expect(describeSecretUrl('https://hooks.example.com/abcdef0123456789/webhook')).toBe('https://hooks.example.com/***');
	});

	it('shows *** for something that is not a URL', () => {
		expect(describeSecretUrl('not a url at all')).toBe('***');
		expect(describeSecretUrl('')).toBe('***');
	});
});

describe('maskSecretUrl', () => {
	it('masks the URL as given, with the masked form a user can still recognise', () => {
		const masked = maskSecretUrl(`request to ${URL_} failed`, URL_);
		expect(masked).toBe('request to https://me.klink.cloud/custom-channel/*** failed');
	});

	it('masks the path alone, as a server error page would show it', () => {
		const masked = maskSecretUrl('Cannot POST /custom-channel/7f3c9a1e2b4d/5e8a0c6f9d21/webhook', URL_);
		expect(masked).toBe('Cannot POST /custom-channel/***');
	});

	it('masks percent-encoded and JSON-escaped copies', () => {
		const encoded = `redirect=${encodeURIComponent(URL_)}`;
		const escaped = JSON.stringify({ url: URL_ }).replace(/\//g, '\\/');
		expectNoSecret(maskSecretUrl(encoded, URL_));
		expectNoSecret(maskSecretUrl(escaped, URL_));
	});

	it('masks each long secret segment even when it appears on its own', () => {
		const masked = maskSecretUrl(`channel ${SECRET_A} rejected sender; see ${SECRET_B}`, URL_);
		expect(masked).toBe('channel *** rejected sender; see ***');
	});

	it('masks the URL without its scheme, and with a trailing slash or surrounding spaces in the credential', () => {
		expectNoSecret(maskSecretUrl('host me.klink.cloud/custom-channel/7f3c9a1e2b4d/5e8a0c6f9d21/webhook down', URL_));
		expectNoSecret(maskSecretUrl(`${URL_}/ failed`, `  ${URL_}/ `));
	});

	it('masks query-string secrets', () => {
		const withQuery = 'https://example.org/in?key=supersecretvalue123';
		expect(maskSecretUrl(`GET ${withQuery}`, withQuery)).not.toContain('supersecretvalue123');
		expect(maskSecretUrl('key supersecretvalue123 expired', withQuery)).toBe('key *** expired');
	});

	it('leaves text without the URL, and short ordinary words, untouched', () => {
		expect(maskSecretUrl('socket hang up on webhook', URL_)).toBe('socket hang up on webhook');
	});

	it('stringifies objects and errors before masking', () => {
		expectNoSecret(maskSecretUrl({ config: { url: URL_ } }, URL_));
		expectNoSecret(maskSecretUrl(new Error(`boom at ${URL_}`), URL_));
		expect(maskSecretUrl(undefined, URL_)).toBe('');
	});

	it('masks the long tokens of a credential value that is not a URL at all', () => {
		const broken = 'me.klink.cloud custom-channel 7f3c9a1e2b4d';
		expect(maskSecretUrl(`invalid: ${broken}`, broken)).not.toContain(SECRET_A);
	});

	it('returns the text unchanged when there is no URL to mask', () => {
		expect(maskSecretUrl('plain', undefined)).toBe('plain');
	});
});
