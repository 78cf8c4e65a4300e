import { DERIVED_MESSAGE_ID_PREFIX, deriveMessageId, messageFingerprint } from './messageId';

describe('deriveMessageId', () => {
	it('is stable: the same execution, node and item always give the same id', () => {
		const first = deriveMessageId('1042', 'Klink', 3);
		expect(deriveMessageId('1042', 'Klink', 3)).toBe(first);
		expect(first).toMatch(new RegExp(`^${DERIVED_MESSAGE_ID_PREFIX}[0-9a-f]{40}$`));
	});

	it('differs for another item, node, execution or run', () => {
		const base = deriveMessageId('1042', 'Klink', 3);
		const others = [
			deriveMessageId('1042', 'Klink', 4),
			deriveMessageId('1042', 'Klink1', 3),
			deriveMessageId('1043', 'Klink', 3),
			deriveMessageId('1042', 'Klink', 3, { runIndex: 1 }),
		];
		expect(new Set([base, ...others]).size).toBe(5);
	});

	it('treats run index 0 as the default', () => {
		expect(deriveMessageId('7', 'Klink', 0, { runIndex: 0 })).toBe(deriveMessageId('7', 'Klink', 0));
	});

	it('does not confuse parts that concatenate to the same text', () => {
		expect(deriveMessageId('12', '3Klink', 0)).not.toBe(deriveMessageId('123', 'Klink', 0));
		expect(deriveMessageId('1|2', 'Klink', 0)).not.toBe(deriveMessageId('1', '2|Klink', 0));
	});

	it('separates different messages of the same item slot by their fingerprint', () => {
		const hello = messageFingerprint({ content: 'hello', senderId: 'u1', senderName: 'Ann', type: 'text' });
		const bye = messageFingerprint({ content: 'bye', senderId: 'u1', senderName: 'Ann', type: 'text' });
		expect(deriveMessageId('9', 'Klink', 0, { fingerprint: hello })).not.toBe(
			deriveMessageId('9', 'Klink', 0, { fingerprint: bye }),
		);
	});

	it('rejects an item index that is not a non-negative integer', () => {
		expect(() => deriveMessageId('1', 'Klink', -1)).toThrow(RangeError);
		expect(() => deriveMessageId('1', 'Klink', 1.5)).toThrow(RangeError);
	});
});

describe('messageFingerprint', () => {
	const fields = { content: 'hello', senderId: 'u1', senderName: 'Ann', conversationId: 'c1', type: 'text' };

	it('is the same for the same fields', () => {
		expect(messageFingerprint({ ...fields })).toBe(messageFingerprint(fields));
	});

	it('changes with any field that makes a message different', () => {
		const variants = [
			{ ...fields, content: 'hello!' },
			{ ...fields, senderId: 'u2' },
			{ ...fields, senderName: 'Bob' },
			{ ...fields, conversationId: undefined },
			{ ...fields, type: 'image' },
		].map(messageFingerprint);
		expect(new Set([messageFingerprint(fields), ...variants]).size).toBe(6);
	});

	it('does not confuse fields whose texts shift from one to the next', () => {
		expect(messageFingerprint({ ...fields, senderId: 'u1a', senderName: 'nn' })).not.toBe(
			messageFingerprint({ ...fields, senderId: 'u1', senderName: 'ann' }),
		);
	});
});
