import {
	buildRequestBody,
	customChannelMessageSchema,
	parseMessageFields,
	parseTimestamp,
	type MessageFieldsInput,
} from './messageSchema';

const valid: MessageFieldsInput = {
	content: 'Hello from our custom platform',
	senderId: 'user-123',
	senderName: 'John Doe',
	conversationId: '',
	messageId: '',
	timestamp: '',
	messageType: 'text',
};

function fieldsOf(input: MessageFieldsInput) {
	const result = parseMessageFields(input);
	if (!result.ok) throw new Error(`unexpected failure: ${result.message}`);
	return result.fields;
}

function failureOf(input: MessageFieldsInput) {
	const result = parseMessageFields(input);
	if (result.ok) throw new Error('expected a validation failure');
	return result;
}

describe('parseMessageFields', () => {
	it('accepts the documented example and leaves optional fields unset', () => {
		expect(fieldsOf(valid)).toEqual({
			content: 'Hello from our custom platform',
			senderId: 'user-123',
			senderName: 'John Doe',
			conversationId: undefined,
			messageId: undefined,
			timestamp: undefined,
			messageType: 'text',
		});
	});

	it.each([
		['content', { content: '' }, 'Content (content) is required and must not be empty'],
		['content', { content: '   \n ' }, 'Content (content) is required and must not be empty'],
		['senderId', { senderId: undefined }, 'Sender ID (senderId) is required and must not be empty'],
		['senderName', { senderName: null }, 'Sender Name (senderName) is required and must not be empty'],
		['senderId', { senderId: { id: 1 } }, 'Sender ID (senderId) must be text, got an object'],
		['senderName', { senderName: ['a'] }, 'Sender Name (senderName) must be text, got a list'],
		['conversationId', { conversationId: true }, 'Conversation ID (conversationId) must be text, got a boolean'],
		['messageType', { messageType: 'image' }, 'Message Type (messageType) must be one of text'],
		['timestamp', { timestamp: 'yesterday' }, 'Timestamp (timestamp) must be epoch milliseconds'],
	])('names the field when %s is bad', (field, patch, message) => {
		const failure = failureOf({ ...valid, ...patch });
		expect(failure.field).toBe(field);
		expect(failure.message).toContain(message);
	});

	it('reports the first bad field in parameter order and lists all of them', () => {
		const failure = failureOf({ ...valid, content: '', senderName: '' });
		expect(failure.field).toBe('content');
		expect(failure.issues).toHaveLength(2);
		expect(failure.issues[1]).toContain('senderName');
	});

	it('turns numeric ids into text and trims ids and names but not the content', () => {
		const fields = fieldsOf({ ...valid, content: '  indented\n', senderId: 42, senderName: ' Ann ', conversationId: ' c-1 ' });
		expect(fields.senderId).toBe('42');
		expect(fields.senderName).toBe('Ann');
		expect(fields.conversationId).toBe('c-1');
		expect(fields.content).toBe('  indented\n');
	});

	it('treats an empty or whitespace conversationId as "start a new conversation"', () => {
		expect(fieldsOf({ ...valid, conversationId: '   ' }).conversationId).toBeUndefined();
		expect(fieldsOf({ ...valid, conversationId: null }).conversationId).toBeUndefined();
	});

	it('defaults the message type to text', () => {
		expect(fieldsOf({ ...valid, messageType: undefined }).messageType).toBe('text');
	});
});

describe('parseTimestamp', () => {
	const ms = Date.UTC(2025, 11, 11, 8, 12, 38, 23); // 1765440758023

	it.each([
		['a number', ms, ms],
		['a numeric string', '1765440758023', ms],
		['an ISO date with Z', '2025-12-11T08:12:38.023Z', ms],
		['an ISO date with an offset', '2025-12-11T15:12:38.023+07:00', ms],
		['an ISO date without a zone (read as UTC)', '2025-12-11T08:12:38.023', ms],
		['an ISO date with a space', '2025-12-11 08:12:38.023Z', ms],
		['a date only (UTC midnight)', '2025-12-11', Date.UTC(2025, 11, 11)],
		['a Date', new Date(ms), ms],
		['a Luxon-like DateTime', { toMillis: () => ms }, ms],
		['fractional milliseconds (rounded)', ms + 0.6, ms + 1],
	])('reads %s', (_label, input, expected) => {
		expect(parseTimestamp(input)).toEqual({ ms: expected });
	});

	it('explains a timestamp in seconds', () => {
		expect(parseTimestamp(1765440758)).toEqual({
			error: 'Timestamp (timestamp) must be in milliseconds; 1765440758 looks like seconds (multiply it by 1000)',
		});
	});

	it.each([
		['text', 'next tuesday'],
		['a loose date Date.parse would accept', 'March 7'],
		['an impossible date', '2025-13-45T00:00:00Z'],
		['a negative number', -5],
		['the far future', 9_999_999_999_999],
		['NaN', Number.NaN],
		['a boolean', true],
	])('rejects %s', (_label, input) => {
		expect(parseTimestamp(input)).toHaveProperty('error');
	});
});

describe('buildRequestBody', () => {
	it('produces the documented request for a new conversation, without a conversationId key', () => {
		const body = buildRequestBody(fieldsOf(valid), { messageId: 'msg-001', now: 1765440758023 });
		expect(body).toEqual({
			messageId: 'msg-001',
			content: 'Hello from our custom platform',
			sender: { id: 'user-123', name: 'John Doe' },
			timestamp: 1765440758023,
			type: 'text',
		});
		expect(Object.keys(body)).not.toContain('conversationId');
	});

	it('continues a conversation and keeps the item’s own id and timestamp over the defaults', () => {
		const fields = fieldsOf({
			...valid,
			content: 'Following up on the issue',
			conversationId: 'ca7de328-32da-4468-bae0-872e94f56be0',
			messageId: 'msg-002',
			timestamp: 1765440850000,
		});
		expect(buildRequestBody(fields, { messageId: 'derived', now: 1 })).toEqual({
			messageId: 'msg-002',
			content: 'Following up on the issue',
			sender: { id: 'user-123', name: 'John Doe' },
			timestamp: 1765440850000,
			type: 'text',
			conversationId: 'ca7de328-32da-4468-bae0-872e94f56be0',
		});
	});

	it('refuses to build a body the wire schema would reject', () => {
		expect(() => buildRequestBody(fieldsOf(valid), { messageId: '', now: 1765440758023 })).toThrow();
	});

	it('builds only bodies the wire schema accepts, and refuses what it would reject', () => {
		const built = [
			buildRequestBody(fieldsOf(valid), { messageId: 'm', now: 1765440758023 }),
			buildRequestBody(fieldsOf({ ...valid, conversationId: 'c-1', senderId: 7, timestamp: '2025-12-11' }), { messageId: 'm', now: 1 }),
		];
		for (const body of built) expect(customChannelMessageSchema.safeParse(body).success).toBe(true);
		expect(() => buildRequestBody(fieldsOf(valid), { messageId: 'm', now: 1 })).toThrow(/timestamp/);
		expect(() => buildRequestBody({ ...fieldsOf(valid), content: ' ' }, { messageId: 'm', now: 1765440758023 })).toThrow(/content/);
		expect(() => buildRequestBody({ ...fieldsOf(valid), senderName: '' }, { messageId: 'm', now: 1765440758023 })).toThrow(/sender/);
		expect(() => buildRequestBody({ ...fieldsOf(valid), conversationId: '' }, { messageId: 'm', now: 1765440758023 })).toThrow(/conversationId/);
		for (const bad of [{ ...built[0], timestamp: 1.5 }, { ...built[0], type: 'image' }, { ...built[0], messageId: '' }]) {
			expect(customChannelMessageSchema.safeParse(bad).success).toBe(false);
		}
	});

	it('the wire schema rejects unknown keys', () => {
		const body = buildRequestBody(fieldsOf(valid), { messageId: 'm', now: 1765440758023 });
		expect(customChannelMessageSchema.safeParse({ ...body, extra: 1 }).success).toBe(false);
	});
});
