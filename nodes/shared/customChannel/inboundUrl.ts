import { describeSecretUrl } from './maskUrl';

/**
 * Checks a Custom Channel inbound webhook URL locally, without sending anything: klink has no endpoint to
 * test it with, and a POST would put a message into somebody's inbox. Messages never contain the URL
 * itself (it is a secret), only its masked form.
 */
export type InboundUrlCheck =
	| { ok: true; url: string; masked: string; notes: string[] }
	| { ok: false; reason: string };

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function isLoopbackHost(hostname: string): boolean {
	const host = hostname.toLowerCase();
	return LOOPBACK_HOSTS.has(host) || host.endsWith('.localhost') || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * `https` is required; plain `http` is accepted only for this machine (localhost, 127.x, ::1), so a local
 * mock can stand in for klink in tests while the real secret never travels unencrypted.
 * The usual shape is `https://<host>/custom-channel/<id>/<id>/webhook`; another path is accepted with a
 * note, because klink may change its URLs.
 */
export function checkInboundUrl(value: unknown): InboundUrlCheck {
	if (typeof value !== 'string' || value.trim() === '') {
		return { ok: false, reason: 'The inbound webhook URL is empty. Copy it from klink.cloud: Settings > Message Integration > Custom Channel.' };
	}
	const text = value.trim();
	if (/\s/.test(text)) {
		return { ok: false, reason: 'The inbound webhook URL contains spaces or line breaks; paste it again exactly as klink.cloud shows it.' };
	}
	let parsed: URL;
	try {
		parsed = new URL(text);
	} catch {
		return { ok: false, reason: 'The inbound webhook URL is not a valid URL. It should look like https://me.klink.cloud/custom-channel/.../webhook.' };
	}
	if (!parsed.hostname) {
		return { ok: false, reason: 'The inbound webhook URL has no host name.' };
	}
	if (parsed.protocol !== 'https:') {
		if (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname)) {
			return {
				ok: true,
				url: text,
				masked: describeSecretUrl(text),
				notes: ['Plain http is accepted for this machine only (local testing); klink.cloud URLs use https.'],
			};
		}
		return {
			ok: false,
			reason: `The inbound webhook URL must use https (got ${parsed.protocol.replace(/:$/, '')}): anyone who can read it can post into your inbox.`,
		};
	}
	if (parsed.username || parsed.password) {
		return { ok: false, reason: 'The inbound webhook URL must not contain a user name or password.' };
	}
	const notes: string[] = [];
	const segments = parsed.pathname.split('/').filter(Boolean);
	if (segments.length === 0) {
		return { ok: false, reason: 'The inbound webhook URL has no path; copy the whole URL klink.cloud shows, ending in /webhook.' };
	}
	const usualShape = segments[0] === 'custom-channel' && segments.length >= 3 && segments[segments.length - 1] === 'webhook';
	if (!usualShape) {
		notes.push('The URL does not have the usual shape /custom-channel/.../webhook; check that it is the Inbound Webhook URL.');
	}
	if (parsed.hash) notes.push('The part after # is never sent to the server.');
	return { ok: true, url: text, masked: describeSecretUrl(text), notes };
}
