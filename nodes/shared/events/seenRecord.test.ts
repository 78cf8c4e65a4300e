import {
	BUCKET_MS,
	DIGEST_LENGTH,
	eventDigest,
	SeenEventRecord,
	storedDigests,
	storedRecordHas,
	storedRecordOf,
	type StoredSeenRecord,
} from './seenRecord';

const MINUTE = 60_000;
const limits = { windowMs: 5 * MINUTE, maxKeys: 1000 };
const T0 = 1_764_000_000_000; // a bucket boundary

const digests = (count: number, prefix = 'k') => Array.from({ length: count }, (_, i) => eventDigest(`${prefix}${i}`));

describe('eventDigest', () => {
	it('is a fixed-width, URL-safe digest that differs between keys and is stable for one key', () => {
		const a = eventDigest('message.inbound|m:39206a79');
		expect(a).toMatch(new RegExp(`^[A-Za-z0-9_-]{${DIGEST_LENGTH}}$`));
		expect(eventDigest('message.inbound|m:39206a79')).toBe(a);
		expect(eventDigest('message.outbound|m:39206a79')).not.toBe(a);
		expect(new Set(digests(50_000)).size).toBe(50_000);
	});
});

describe('SeenEventRecord', () => {
	it('reports an event seen within the window as a duplicate, and a new one as new', () => {
		const record = new SeenEventRecord(limits);
		const [a, b] = digests(2);
		expect(record.add(a, T0)).toBe(true);
		expect(record.add(a, T0 + 4 * MINUTE)).toBe(false);
		expect(record.add(b, T0 + 4 * MINUTE)).toBe(true);
		expect(record.size).toBe(2);
	});

	it('keeps an event for at least the window and at most one bucket longer, then forgets it', () => {
		const record = new SeenEventRecord(limits);
		const [a] = digests(1);
		record.add(a, T0 + 1);
		expect(record.has(a, T0 + 1 + limits.windowMs)).toBe(true);
		expect(record.has(a, T0 + limits.windowMs + BUCKET_MS - 1)).toBe(true);
		expect(record.has(a, T0 + limits.windowMs + BUCKET_MS)).toBe(false);
		expect(record.add(a, T0 + limits.windowMs + BUCKET_MS)).toBe(true);
		expect(record.size).toBe(1);
	});

	it('drops expired buckets as time goes on, so memory follows the rate times the window', () => {
		const record = new SeenEventRecord({ windowMs: MINUTE, maxKeys: 1_000_000 });
		// 100 events a second for 10 minutes of a 1-minute window.
		for (let second = 0; second < 600; second++) {
			for (let i = 0; i < 100; i++) record.add(eventDigest(`${second}/${i}`), T0 + second * 1000 + i);
		}
		expect(record.size).toBeGreaterThanOrEqual(6000);
		expect(record.size).toBeLessThanOrEqual(7000);
		expect(record.toStored(T0 + 600_000).buckets.length).toBeLessThanOrEqual(MINUTE / BUCKET_MS + 1);
	});

	it('never holds more than its bound, evicting the oldest first', () => {
		const record = new SeenEventRecord({ windowMs: 60 * MINUTE, maxKeys: 100 });
		const keys = digests(250);
		keys.forEach((digest, i) => record.add(digest, T0 + i * 100));
		expect(record.size).toBe(100);
		expect(record.has(keys[149], T0 + 25_000)).toBe(false);
		expect(record.has(keys[150], T0 + 25_000)).toBe(true);
		expect(record.has(keys[249], T0 + 25_000)).toBe(true);
		const stored = record.toStored(T0 + 25_000);
		expect(stored.buckets.reduce((sum, [, text]) => sum + text.length, 0)).toBe(100 * DIGEST_LENGTH);
	});

	it('stores itself as one string per bucket and reads that back after a restart', () => {
		const before = new SeenEventRecord(limits);
		const keys = digests(500);
		keys.forEach((digest, i) => before.add(digest, T0 + i * 200));
		const stored = JSON.parse(JSON.stringify(before.toStored(T0 + 100_000))) as StoredSeenRecord;
		expect(stored.buckets.length).toBe(10);
		expect(JSON.stringify(stored).length).toBeLessThan(500 * DIGEST_LENGTH + 400);

		const after = new SeenEventRecord(limits);
		expect(after.merge(stored, T0 + 100_000)).toBe(500);
		for (const digest of keys) expect(after.add(digest, T0 + 100_000)).toBe(false);
		expect(after.toStored(T0 + 100_000)).toEqual(stored);
	});

	it('does not bring back what the store holds past the window', () => {
		const old = new SeenEventRecord(limits);
		const [a, b] = digests(2);
		old.add(a, T0);
		old.add(b, T0 + 3 * MINUTE);
		const record = new SeenEventRecord(limits);
		expect(record.merge(old.toStored(T0 + 3 * MINUTE), T0 + 6 * MINUTE)).toBe(1);
		expect(record.has(a, T0 + 6 * MINUTE)).toBe(false);
		expect(record.has(b, T0 + 6 * MINUTE)).toBe(true);
	});

	it('ignores stored data that is not a record of this version (older formats, damage)', () => {
		const record = new SeenEventRecord(limits);
		for (const stored of [undefined, null, 'text', { a: 1 }, { v: 1, bucketMs: BUCKET_MS, buckets: [] }, { v: 2, bucketMs: 1, buckets: [] }, { v: 2, bucketMs: BUCKET_MS, buckets: [[T0, 5]] }]) {
			expect(record.merge(stored, T0)).toBe(0);
		}
		expect(record.size).toBe(0);
	});

	it('keeps each digest in its first bucket when older buckets arrive after newer ones', () => {
		const record = new SeenEventRecord(limits);
		const [a, b] = digests(2);
		record.add(a, T0 + 3 * BUCKET_MS);
		const other = new SeenEventRecord(limits);
		other.add(b, T0);
		other.add(a, T0);
		record.merge(other.toStored(T0 + 3 * BUCKET_MS), T0 + 3 * BUCKET_MS);
		const buckets = record.toStored(T0 + 3 * BUCKET_MS).buckets;
		expect(buckets.map(([start]) => start)).toEqual([T0, T0 + 3 * BUCKET_MS]);
		expect(buckets[0][1]).toBe(b);
		expect(buckets[1][1]).toBe(a);
	});

	it('converges under concurrent writers that overwrite one stored copy, once each writes again', () => {
		// Two processes share one stored copy that each read at the start of a request and overwrite at its end,
		// with no lock: a writer that read before the other's write drops the other's new keys from the store.
		let store: unknown;
		const writers = [new SeenEventRecord(limits), new SeenEventRecord(limits)];
		const all: string[] = [];
		let now = T0;
		for (let round = 0; round < 50; round++) {
			const snapshots = writers.map(() => store); // both read before either writes
			writers.forEach((writer, w) => {
				writer.merge(snapshots[w], now);
				const digest = eventDigest(`round ${round} writer ${w}`);
				all.push(digest);
				writer.add(digest, now);
			});
			writers.forEach((writer) => (store = writer.toStored(now))); // last writer wins
			now += 500;
		}
		const stored = readBack(store, now);
		const lost = all.filter((digest) => !stored.has(digest, now));
		expect(lost.length).toBeGreaterThan(0); // the race is real: the store misses the other writer's keys
		// One more write by each, each merging what it reads first, and nothing is missing.
		for (const writer of writers) {
			writer.merge(store, now);
			store = writer.toStored(now);
		}
		const final = readBack(store, now);
		expect(all.filter((digest) => !final.has(digest, now))).toEqual([]);
	});
});

describe('stored copies and flush bodies', () => {
	it('reads again only the stored buckets that changed since the last merge', () => {
		const writer = new SeenEventRecord(limits);
		const keys = digests(300);
		keys.slice(0, 200).forEach((digest, i) => writer.add(digest, T0 + i * 100)); // buckets T0 and T0+10 s
		const reader = new SeenEventRecord(limits);
		const first = writer.toStored(T0 + 20_000);
		expect(reader.mergeStoredCopy(JSON.parse(JSON.stringify(first)), T0 + 20_000)).toBe(200);
		// The same copy, loaded again (a new object, as n8n loads it per request): nothing to read.
		expect(reader.mergeStoredCopy(JSON.parse(JSON.stringify(first)), T0 + 20_000)).toBe(0);
		// Another process adds to the newest bucket: only that bucket is read, and only its new digest is added.
		writer.add(keys[200], T0 + 19_999);
		const second = writer.toStored(T0 + 20_000);
		const spy = jest.spyOn(reader, 'merge');
		expect(reader.mergeStoredCopy(second, T0 + 20_000)).toBe(1);
		expect((spy.mock.calls[0][0] as StoredSeenRecord).buckets.map(([start]) => start)).toEqual([T0 + 10_000]);
		expect(reader.has(keys[200], T0 + 20_000)).toBe(true);
	});

	it('carries digests with their bucket in a flush body, and finds them in a stored copy only where they are', () => {
		const a = eventDigest('a');
		const b = eventDigest('b');
		const body = storedRecordOf([
			[a, T0 + 15_000],
			[b, T0 + 1],
		]);
		expect(body.buckets).toEqual([
			[T0, b],
			[T0 + 10_000, a],
		]);
		expect(storedDigests(JSON.parse(JSON.stringify(body)))).toEqual([
			[b, T0],
			[a, T0 + 10_000],
		]);
		expect(storedDigests({ v: 1 })).toEqual([]);

		const stored = storedRecordOf([[a, T0 + 12_000]]);
		expect(storedRecordHas(stored, a, T0 + 10_000)).toBe(true);
		expect(storedRecordHas(stored, a, T0)).toBe(false);
		expect(storedRecordHas(stored, b, T0 + 10_000)).toBe(false);
		expect(storedRecordHas(undefined, a, T0 + 10_000)).toBe(false);
	});

	it('does not find a digest that only appears across the boundary of two others', () => {
		const x = 'AAAAAAXXXXXX';
		const y = 'YYYYYYAAAAAA';
		const stored = storedRecordOf([
			[x, T0],
			[y, T0],
		]);
		// "XXXXXXYYYYYY" occurs in the bucket's text, but not at a digest boundary.
		expect(stored.buckets[0][1]).toContain('XXXXXXYYYYYY');
		expect(storedRecordHas(stored, 'XXXXXXYYYYYY', T0)).toBe(false);
		expect(storedRecordHas(stored, y, T0)).toBe(true);
	});
});

function readBack(stored: unknown, now: number): SeenEventRecord {
	const record = new SeenEventRecord(limits);
	record.merge(stored, now);
	return record;
}
