import { testRequestReport } from './testRequestReport';

describe('testRequestReport', () => {
	it('explains a rejected request: what the sender got, why, and how to fix it', () => {
		const report = testRequestReport({ kind: 'signature', statusCode: 401, reason: 'signature does not match (tried 1 secret(s) and 4 URL(s))' });
		expect(report).toEqual({
			outcome: 'rejected',
			statusCode: 401,
			reason: 'signature does not match (tried 1 secret(s) and 4 URL(s))',
			fix: expect.stringContaining('Signature secret'),
			note: expect.stringContaining('answered 401'),
		});
	});

	it('names the filter that stopped a filtered event', () => {
		const report = testRequestReport({ kind: 'filtered', statusCode: 200, reason: 'channel "telegram" is not selected', filter: 'Channels' });
		expect(report).toMatchObject({ outcome: 'filtered out', statusCode: 200, filter: 'Channels' });
		expect(report.fix).toContain('Channels');
	});

	it("gives klink's sending address and N8N_PROXY_HOPS for a refused address", () => {
		const report = testRequestReport({ kind: 'ipNotAllowed', statusCode: 403, reason: 'address 10.0.0.9 is not in the IP allowlist' });
		expect(report.fix).toContain('51.79.216.180');
		expect(report.fix).toContain('N8N_PROXY_HOPS');
	});

	it('carries the unreachable-URL warning when there is one', () => {
		expect(testRequestReport({ kind: 'notJson', statusCode: 400, reason: 'x', warning: 'klink.cloud cannot reach' }).warning).toBe('klink.cloud cannot reach');
		expect(testRequestReport({ kind: 'notJson', statusCode: 400, reason: 'x' })).not.toHaveProperty('warning');
	});
});
