import { createHash, timingSafeEqual } from 'crypto';

/** Compares two secrets without leaking, through timing, how much of them matched or how long they are. */
export function constantTimeEqual(actual: string | Buffer, expected: string | Buffer): boolean {
	const digest = (value: string | Buffer) => createHash('sha256').update(value).digest();
	return timingSafeEqual(digest(actual), digest(expected));
}
