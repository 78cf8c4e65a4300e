import { IpAllowlistError, isIpAllowed, KLINK_SENDING_ADDRESS, parseIpAllowlist } from './ipAllowlist';

describe('IP allowlist', () => {
	it("allows klink's sending address, also as Node writes it on a dual-stack socket", () => {
		const ranges = parseIpAllowlist(KLINK_SENDING_ADDRESS);
		expect(isIpAllowed(ranges, '51.79.216.180')).toBe(true);
		expect(isIpAllowed(ranges, '::ffff:51.79.216.180')).toBe(true);
		expect(isIpAllowed(ranges, '51.79.216.181')).toBe(false);
		expect(isIpAllowed(ranges, '::ffff:51.79.216.181')).toBe(false);
		expect(isIpAllowed(ranges, undefined)).toBe(false);
		expect(isIpAllowed(ranges, 'garbage')).toBe(false);
	});

	it('reads comma and space separated entries and CIDR ranges', () => {
		const ranges = parseIpAllowlist(' 10.0.0.0/8,192.168.1.0/24  127.0.0.1 ');
		expect(isIpAllowed(ranges, '10.200.3.4')).toBe(true);
		expect(isIpAllowed(ranges, '11.0.0.1')).toBe(false);
		expect(isIpAllowed(ranges, '192.168.1.77')).toBe(true);
		expect(isIpAllowed(ranges, '192.168.2.1')).toBe(false);
		expect(isIpAllowed(ranges, '127.0.0.1')).toBe(true);
		expect(isIpAllowed(parseIpAllowlist('0.0.0.0/0'), '8.8.8.8')).toBe(true);
	});

	it('handles IPv6 addresses and ranges', () => {
		const ranges = parseIpAllowlist('2001:db8::/32, ::1');
		expect(isIpAllowed(ranges, '2001:db8:1234::5')).toBe(true);
		expect(isIpAllowed(ranges, '2001:db9::5')).toBe(false);
		expect(isIpAllowed(ranges, '::1')).toBe(true);
		expect(isIpAllowed(ranges, '0:0:0:0:0:0:0:1')).toBe(true);
		expect(isIpAllowed(ranges, '127.0.0.1')).toBe(false);
		expect(isIpAllowed(parseIpAllowlist('::ffff:10.0.0.0/104'), '10.1.2.3')).toBe(false);
		expect(isIpAllowed(parseIpAllowlist('::ffff:10.0.0.0/104'), '::ffff:10.1.2.3')).toBe(true);
	});

	it('refuses entries that are not addresses, naming them', () => {
		for (const bad of ['51.79.216.256', '10.0.0.0/33', 'klink.cloud', '1.2.3.4/8/1', '2001:db8:::1', '1:2:3:4:5:6:7:8:9', '10.0.0.0/x']) {
			expect(() => parseIpAllowlist(bad)).toThrow(IpAllowlistError);
			expect(() => parseIpAllowlist(bad)).toThrow(`"${bad}"`);
		}
		expect(parseIpAllowlist('')).toEqual([]);
	});
});
