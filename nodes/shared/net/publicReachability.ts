/**
 * klink posts from the public internet, so a webhook URL on localhost, a private network or a link-local
 * address can never receive its events. Returns why, or undefined when the URL looks publicly reachable.
 */
export function describeUnreachableWebhookUrl(url: string): string | undefined {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return 'the webhook URL is not a valid URL';
	}
	const host = parsed.hostname.toLowerCase().replace(/^\[|\]$/g, '');

	if (host === 'localhost' || host.endsWith('.localhost')) return `${host} is this machine only`;
	if (host.endsWith('.local') || host.endsWith('.internal') || host.endsWith('.lan') || !host.includes('.') && !host.includes(':')) {
		return `${host} is a local network name`;
	}
	const privateV4 = describePrivateIpv4(host);
	if (privateV4) return privateV4;
	if (host.includes(':')) {
		if (host === '::1' || host === '::') return `${host} is this machine only`;
		if (/^f[cd]/.test(host)) return `${host} is a private IPv6 address`;
		if (/^fe[89ab]/.test(host)) return `${host} is a link-local IPv6 address`;
		// URL() writes an IPv4-mapped address in hex: [::ffff:192.168.0.1] becomes [::ffff:c0a8:1].
		const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
		if (mapped) {
			const [high, low] = [parseInt(mapped[1], 16), parseInt(mapped[2], 16)];
			return describePrivateIpv4(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
		}
	}
	return undefined;
}

function describePrivateIpv4(host: string): string | undefined {
	const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
	if (!match) return undefined;
	const [a, b] = [Number(match[1]), Number(match[2])];
	if (a === 127 || a === 0) return `${host} is this machine only`;
	if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) {
		return `${host} is a private network address`;
	}
	if (a === 169 && b === 254) return `${host} is a link-local address`;
	if (a === 100 && b >= 64 && b <= 127) return `${host} is a carrier-grade NAT address`;
	return undefined;
}

/** The warning shown when klink cannot reach `url`, with the n8n setting that fixes it; undefined if it can. */
export function unreachableWebhookUrlWarning(url: string): string | undefined {
	const why = describeUnreachableWebhookUrl(url);
	if (!why) return undefined;
	return (
		`klink.cloud cannot reach ${url} (${why}). ` +
		'Set WEBHOOK_URL (n8n 1.x) or N8N_WEBHOOK_URL (n8n 2.x) to the public address of this n8n.'
	);
}
