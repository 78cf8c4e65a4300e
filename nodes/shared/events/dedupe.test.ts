import { eventKey, mergeSeenEvents, rememberEvent, type SeenEvents } from './dedupe';

const limits = { windowMs: 1000, maxEntries: 3 };
const noBody = () => {
	throw new Error('the body is not needed when the event has an id');
};

describe('eventKey', () => {
	it('keys messages on the event and the message id', () => {
		expect(eventKey({ event: 'message.inbound', messageId: 'm1', contactId: 'c1' }, noBody)).toBe('message.inbound|m:m1');
		expect(eventKey({ event: 'message.outbound', messageId: 'm1' }, noBody)).not.toBe(
			eventKey({ event: 'message.inbound', messageId: 'm1' }, noBody),
		);
	});

	it('keys contact events on the contact and its revision, so later updates are new events', () => {
		const first = eventKey({ event: 'contact.updated', contactId: 'c1', revision: 't1' }, noBody);
		const second = eventKey({ event: 'contact.updated', contactId: 'c1', revision: 't2' }, noBody);
		expect(first).toBe('contact.updated|c:c1|t1');
		expect(second).not.toBe(first);
	});

	it('hashes the normalized body when there is no id or revision', () => {
		const a = eventKey({ event: 'conversation.closed', conversationId: 'r1' }, () => '{"a":1}');
		const b = eventKey({ event: 'conversation.closed', conversationId: 'r1' }, () => '{"a":2}');
		expect(a).toMatch(/^conversation\.closed\|r:r1\|h:[0-9a-f]{32}$/);
		expect(a).not.toBe(b);
		expect(eventKey({ event: 'conversation.closed', conversationId: 'r1' }, () => Buffer.from('{"a":1}'))).toBe(a);
	});
});

describe('rememberEvent', () => {
	it('reports a key seen within the window as a duplicate', () => {
		const seen: SeenEvents = {};
		expect(rememberEvent(seen, 'a', 0, limits)).toBe(false);
		expect(rememberEvent(seen, 'a', 999, limits)).toBe(true);
		expect(rememberEvent(seen, 'b', 999, limits)).toBe(false);
	});

	it('forgets keys older than the window', () => {
		const seen: SeenEvents = {};
		rememberEvent(seen, 'a', 0, limits);
		rememberEvent(seen, 'b', 500, limits);
		expect(rememberEvent(seen, 'a', 1001, limits)).toBe(false);
		expect(Object.keys(seen)).toEqual(['b', 'a']);
	});

	it('keeps at most the configured count, dropping the oldest', () => {
		const seen: SeenEvents = {};
		for (const [i, key] of ['a', 'b', 'c', 'd', 'e'].entries()) rememberEvent(seen, key, i, limits);
		expect(Object.keys(seen)).toEqual(['c', 'd', 'e']);
		expect(rememberEvent(seen, 'a', 5, limits)).toBe(false);
	});

	it('works on state that went through JSON, as n8n stores static data', () => {
		const seen: SeenEvents = {};
		rememberEvent(seen, 'message.inbound|m:1', 100, limits);
		const restored = JSON.parse(JSON.stringify(seen)) as SeenEvents;
		expect(rememberEvent(restored, 'message.inbound|m:1', 200, limits)).toBe(true);
	});
});

describe('mergeSeenEvents', () => {
	it('refills empty memory from stored state', () => {
		expect(mergeSeenEvents({}, { a: 1, b: 2 })).toEqual({ a: 1, b: 2 });
	});

	it('adds only missing keys and keeps the result ordered by time', () => {
		const merged = mergeSeenEvents({ b: 20, d: 40 }, { a: 10, b: 99, c: 30 });
		expect(Object.entries(merged)).toEqual([
			['a', 10],
			['b', 20],
			['c', 30],
			['d', 40],
		]);
	});

	it('leaves memory alone when the stored state adds nothing or is missing', () => {
		const seen = { x: 5 };
		expect(mergeSeenEvents(seen, { x: 1 })).toBe(seen);
		expect(mergeSeenEvents(seen, undefined)).toEqual({ x: 5 });
	});
});
