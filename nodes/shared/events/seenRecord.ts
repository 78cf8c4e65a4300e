import { createHash } from 'crypto';

/**
 * The record of klink events already started, sized for klink's volume: hundreds of events a second kept for
 * the whole dedupe window. Each event is kept as a short fixed-width digest in a time bucket, so
 *  - checking and adding an event costs the same whatever the record holds (a hash map and the newest bucket),
 *  - expiry drops whole buckets, oldest first, and
 *  - the stored form is a handful of long strings (one per bucket), which a database column holds and JSON
 *    reads far faster than an object with one property per key.
 * Merging stored records is a union, so writers that overwrite each other converge once each writes again.
 */

/** 72 bits of SHA-256: a false duplicate among 200,000 kept keys has odds of about 1 in 10^11. */
export const DIGEST_LENGTH = 12;
export const BUCKET_MS = 10_000;
export const DEFAULT_DEDUPE_MAX_KEYS = 200_000;
export const STORED_RECORD_VERSION = 2;

export interface SeenRecordLimits {
	windowMs: number;
	maxKeys: number;
}

/** The record as it is kept in the workflow's static data. */
export interface StoredSeenRecord {
	v: typeof STORED_RECORD_VERSION;
	bucketMs: number;
	/** [bucket start (epoch ms), the digests first seen in that bucket, concatenated], oldest first */
	buckets: Array<[number, string]>;
}

export function eventDigest(key: string): string {
	return createHash('sha256').update(key).digest('base64url').slice(0, DIGEST_LENGTH);
}

interface Bucket {
	start: number;
	digests: string[];
	/** digests before this index were evicted by the count bound */
	head: number;
}

export class SeenEventRecord {
	private readonly buckets: Bucket[] = [];
	/** digest -> start of the bucket it was first seen in */
	private readonly index = new Map<string, number>();
	/** Each stored bucket as last merged, so an unchanged bucket is not read again (see mergeStoredCopy). */
	private readonly mergedBuckets = new Map<number, string>();

	constructor(private readonly limits: SeenRecordLimits) {}

	get size(): number {
		return this.index.size;
	}

	/** Whether `digest` was seen within the window (bucket-rounded: kept up to one bucket longer). */
	has(digest: string, now: number): boolean {
		const start = this.index.get(digest);
		return start !== undefined && !this.isExpired(start, now);
	}

	/** Records `digest` as seen at `now`. Returns false when it was already seen within the window. */
	add(digest: string, now: number): boolean {
		return this.addAt(digest, now, now);
	}

	/** Records `digest` as first seen at `seenAt` (earlier than `now`), unless that is past the window. */
	addAt(digest: string, seenAt: number, now: number): boolean {
		this.expire(now);
		if (this.has(digest, now)) return false;
		const start = bucketStart(seenAt);
		if (this.isExpired(start, now)) return false;
		this.insert(digest, start);
		this.enforceBound();
		return true;
	}

	/**
	 * Adds what a stored record knows and this one does not (kept state after a restart, or what another
	 * process wrote), each digest in the bucket the store gives it. Anything that is not a stored record of
	 * this version is ignored. Returns how many digests were added.
	 */
	merge(stored: unknown, now: number): number {
		if (!isStoredRecord(stored)) return 0;
		this.expire(now);
		let added = 0;
		for (const [start, digests] of stored.buckets) {
			const at = bucketStart(start);
			if (this.isExpired(at, now)) continue;
			for (let i = 0; i + DIGEST_LENGTH <= digests.length; i += DIGEST_LENGTH) {
				const digest = digests.slice(i, i + DIGEST_LENGTH);
				if (this.index.has(digest)) continue;
				this.insert(digest, at);
				added++;
			}
		}
		this.enforceBound();
		return added;
	}

	/**
	 * Like `merge`, for the stored copy n8n loads on every request: buckets that are exactly as last merged
	 * are skipped, so the cost follows what other writers changed, not what the record holds.
	 */
	mergeStoredCopy(stored: unknown, now: number): number {
		if (!isStoredRecord(stored)) return 0;
		for (const start of this.mergedBuckets.keys()) if (this.isExpired(start, now)) this.mergedBuckets.delete(start);
		const changed = stored.buckets.filter(([start, digests]) => this.mergedBuckets.get(start) !== digests);
		for (const [start, digests] of changed) this.mergedBuckets.set(start, digests);
		return changed.length === 0 ? 0 : this.merge({ ...stored, buckets: changed }, now);
	}

	/** When `digest` was first seen (its bucket's start), if it is kept. */
	seenAt(digest: string): number | undefined {
		return this.index.get(digest);
	}

	toStored(now: number): StoredSeenRecord {
		this.expire(now);
		return {
			v: STORED_RECORD_VERSION,
			bucketMs: BUCKET_MS,
			buckets: this.buckets.map((bucket): [number, string] => [bucket.start, bucket.digests.slice(bucket.head).join('')]),
		};
	}

	private isExpired(start: number, now: number): boolean {
		return start + BUCKET_MS <= now - this.limits.windowMs;
	}

	private insert(digest: string, start: number): void {
		let position = this.buckets.length;
		while (position > 0 && this.buckets[position - 1].start > start) position--;
		const before = this.buckets[position - 1];
		if (before?.start === start) before.digests.push(digest);
		else this.buckets.splice(position, 0, { start, digests: [digest], head: 0 });
		this.index.set(digest, start);
	}

	private expire(now: number): void {
		while (this.buckets.length > 0 && this.isExpired(this.buckets[0].start, now)) {
			this.dropOldestBucket();
		}
	}

	private dropOldestBucket(): void {
		const bucket = this.buckets.shift();
		if (!bucket) return;
		for (let i = bucket.head; i < bucket.digests.length; i++) this.forget(bucket.digests[i], bucket.start);
	}

	/** Over the count bound, the oldest digests go first. */
	private enforceBound(): void {
		while (this.index.size > this.limits.maxKeys && this.buckets.length > 0) {
			const oldest = this.buckets[0];
			this.forget(oldest.digests[oldest.head], oldest.start);
			oldest.head++;
			if (oldest.head >= oldest.digests.length) this.buckets.shift();
		}
	}

	private forget(digest: string, start: number): void {
		if (this.index.get(digest) === start) this.index.delete(digest);
	}
}

/** A stored record of just these digests, each with the time it was first seen: the form a flush carries. */
export function storedRecordOf(seen: Iterable<[digest: string, seenAt: number]>): StoredSeenRecord {
	const byBucket = new Map<number, string[]>();
	for (const [digest, seenAt] of seen) {
		const start = bucketStart(seenAt);
		const bucket = byBucket.get(start);
		if (bucket) bucket.push(digest);
		else byBucket.set(start, [digest]);
	}
	const buckets = [...byBucket.entries()].sort(([a], [b]) => a - b).map(([start, digests]): [number, string] => [start, digests.join('')]);
	return { v: STORED_RECORD_VERSION, bucketMs: BUCKET_MS, buckets };
}

/** The digests of a stored record with the start of their bucket; nothing for anything else. */
export function storedDigests(stored: unknown): Array<[digest: string, bucketStart: number]> {
	if (!isStoredRecord(stored)) return [];
	const out: Array<[string, number]> = [];
	for (const [start, digests] of stored.buckets) {
		for (let i = 0; i + DIGEST_LENGTH <= digests.length; i += DIGEST_LENGTH) out.push([digests.slice(i, i + DIGEST_LENGTH), start]);
	}
	return out;
}

/**
 * Whether a stored record holds `digest` in the bucket that starts at `start`. Reads that one bucket only, at
 * digest boundaries, so checking a few digests stays cheap whatever the record holds.
 */
export function storedRecordHas(stored: unknown, digest: string, start: number): boolean {
	if (!isStoredRecord(stored)) return false;
	const bucket = stored.buckets.find(([bucketStartMs]) => bucketStartMs === start);
	if (!bucket) return false;
	for (let at = bucket[1].indexOf(digest); at !== -1; at = bucket[1].indexOf(digest, at + 1)) {
		if (at % DIGEST_LENGTH === 0) return true;
	}
	return false;
}

export function bucketStart(time: number): number {
	return Math.floor(time / BUCKET_MS) * BUCKET_MS;
}

function isStoredRecord(value: unknown): value is StoredSeenRecord {
	if (typeof value !== 'object' || value === null) return false;
	const record = value as Partial<StoredSeenRecord>;
	return (
		record.v === STORED_RECORD_VERSION &&
		record.bucketMs === BUCKET_MS &&
		Array.isArray(record.buckets) &&
		record.buckets.every(
			(bucket) => Array.isArray(bucket) && Number.isFinite(bucket[0]) && typeof bucket[1] === 'string',
		)
	);
}
