import { claimedElsewhere, CLAIM_TTL_MS, readClaims, sameClaims, updateClaims } from './deliveryClaims';

const NOW = 1_800_000_000_000;
const never = () => false;

describe('delivery claims in the stored copy', () => {
	it('reads the claims that still hold and ignores expired or malformed entries', () => {
		const claims = readClaims(
			[
				['aaaaaaaaaaaa', NOW + 1000, 'p1'],
				['bbbbbbbbbbbb', NOW, 'p1'],
				['cccccccccccc', 'soon', 'p2'],
				['dddddddddddd', NOW + 1000],
				'eeeeeeeeeeee',
			],
			NOW,
		);
		expect([...claims]).toEqual([['aaaaaaaaaaaa', { until: NOW + 1000, owner: 'p1' }]]);
		expect(readClaims({ not: 'a list' }, NOW).size).toBe(0);
		expect(readClaims(undefined, NOW).size).toBe(0);
	});

	it('adds an owner’s new claims and removes only that owner’s releases', () => {
		const stored = readClaims([['aaaaaaaaaaaa', NOW + 5000, 'p2']], NOW);
		const next = updateClaims(stored, { owner: 'p1', claim: [['bbbbbbbbbbbb', NOW + CLAIM_TTL_MS]], release: ['aaaaaaaaaaaa'] }, never, NOW);
		expect(next).toEqual([
			['aaaaaaaaaaaa', NOW + 5000, 'p2'],
			['bbbbbbbbbbbb', NOW + CLAIM_TTL_MS, 'p1'],
		]);
		expect(updateClaims(readClaims(next, NOW), { owner: 'p2', claim: [], release: ['aaaaaaaaaaaa'] }, never, NOW)).toEqual([
			['bbbbbbbbbbbb', NOW + CLAIM_TTL_MS, 'p1'],
		]);
	});

	it('drops a claim once its event is recorded as started, and once it expires', () => {
		const stored = readClaims(
			[
				['aaaaaaaaaaaa', NOW + 5000, 'p1'],
				['bbbbbbbbbbbb', NOW + 5000, 'p1'],
			],
			NOW,
		);
		const started = (digest: string) => digest === 'aaaaaaaaaaaa';
		expect(updateClaims(stored, { owner: 'p2', claim: [], release: [] }, started, NOW)).toEqual([['bbbbbbbbbbbb', NOW + 5000, 'p1']]);
		expect(updateClaims(stored, { owner: 'p2', claim: [], release: [] }, never, NOW + 5000)).toEqual([]);
	});

	it('tells a claim of another process from one of its own, and holds it only until it expires', () => {
		const claims = readClaims([['aaaaaaaaaaaa', NOW + 5000, 'p1']], NOW);
		expect(claimedElsewhere(claims, 'aaaaaaaaaaaa', 'p2', NOW)).toBe(true);
		expect(claimedElsewhere(claims, 'aaaaaaaaaaaa', 'p1', NOW)).toBe(false);
		expect(claimedElsewhere(claims, 'aaaaaaaaaaaa', 'p2', NOW + 5000)).toBe(false);
		expect(claimedElsewhere(claims, 'bbbbbbbbbbbb', 'p2', NOW)).toBe(false);
	});

	it('compares stored claims with those last read', () => {
		const list: Array<[string, number, string]> = [['aaaaaaaaaaaa', NOW + 5000, 'p1']];
		expect(sameClaims(list, readClaims(list, NOW))).toBe(true);
		expect(sameClaims([], readClaims(list, NOW))).toBe(false);
		expect(sameClaims([['aaaaaaaaaaaa', NOW + 6000, 'p1']], readClaims(list, NOW))).toBe(false);
	});
});
