/** klink.cloud's sending address, from its Developer Tools webhook documentation. */
export const KLINK_SENDING_ADDRESS = '51.79.216.180';

interface AllowedRange {
	bytes: number[];
	prefixBits: number;
}

export class IpAllowlistError extends Error {}

/**
 * Parses a comma- or space-separated list of IPv4/IPv6 addresses and CIDR ranges
 * (`51.79.216.180, 10.0.0.0/8, 2001:db8::/32`). Throws IpAllowlistError naming the first bad entry,
 * so a typo fails loudly instead of silently letting everyone in or no one.
 */
export function parseIpAllowlist(text: string): AllowedRange[] {
	return text
		.split(/[\s,]+/)
		.filter((entry) => entry !== '')
		.map((entry) => {
			const [address, prefix, extra] = entry.split('/');
			const bytes = parseIp(address);
			const maxBits = bytes ? bytes.length * 8 : 0;
			const prefixBits = prefix === undefined ? maxBits : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
			if (!bytes || extra !== undefined || !(prefixBits >= 0 && prefixBits <= maxBits)) {
				throw new IpAllowlistError(`"${entry}" in the IP allowlist is not an IP address or CIDR range`);
			}
			return { bytes, prefixBits };
		});
}

/** Whether `ip` (as Node reports it, IPv4-mapped IPv6 included) is inside one of the ranges. */
export function isIpAllowed(ranges: AllowedRange[], ip: string | undefined): boolean {
	const bytes = ip === undefined ? undefined : parseIp(ip);
	if (!bytes) return false;
	const candidates = [bytes];
	const mapped = ipv4FromMapped(bytes);
	if (mapped) candidates.push(mapped);
	return ranges.some((range) => candidates.some((candidate) => inRange(range, candidate)));
}

function inRange(range: AllowedRange, bytes: number[]): boolean {
	if (range.bytes.length !== bytes.length) return false;
	for (let bit = 0; bit < range.prefixBits; bit++) {
		const mask = 0x80 >> bit % 8;
		if ((range.bytes[bit >> 3] & mask) !== (bytes[bit >> 3] & mask)) return false;
	}
	return true;
}

/** ::ffff:a.b.c.d, how Node reports an IPv4 client on a dual-stack socket. */
function ipv4FromMapped(bytes: number[]): number[] | undefined {
	if (bytes.length !== 16) return undefined;
	const prefix = bytes.slice(0, 12);
	const isMapped = prefix.slice(0, 10).every((b) => b === 0) && prefix[10] === 255 && prefix[11] === 255;
	return isMapped ? bytes.slice(12) : undefined;
}

function parseIp(text: string): number[] | undefined {
	return parseIpv4(text) ?? parseIpv6(text);
}

function parseIpv4(text: string): number[] | undefined {
	const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
	if (!match) return undefined;
	const bytes = match.slice(1).map(Number);
	return bytes.every((b) => b <= 255) ? bytes : undefined;
}

function parseIpv6(text: string): number[] | undefined {
	const address = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
	if (!address.includes(':')) return undefined;
	// A dotted IPv4 tail (::ffff:1.2.3.4) counts as the last two groups.
	let tail: number[] = [];
	let head = address;
	const dotted = /^(.*:)(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(address);
	if (dotted) {
		const v4 = parseIpv4(dotted[2]);
		if (!v4) return undefined;
		tail = v4;
		head = dotted[1].endsWith('::') ? dotted[1] : dotted[1].slice(0, -1);
	}
	const halves = head.split('::');
	if (halves.length > 2) return undefined;
	const groups = (part: string) => (part === '' ? [] : part.split(':'));
	const left = groups(halves[0]);
	const right = halves.length === 2 ? groups(halves[1]) : [];
	const wanted = 8 - tail.length / 2;
	const missing = wanted - left.length - right.length;
	if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
	const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
	const bytes: number[] = [];
	for (const group of all) {
		if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
		const value = parseInt(group, 16);
		bytes.push(value >> 8, value & 255);
	}
	return [...bytes, ...tail];
}
