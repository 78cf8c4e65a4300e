import { z } from 'zod';

/**
 * What klink.cloud's Custom Channel inbound webhook accepts (POST {inboundUrl}, JSON):
 * `{ messageId, content, sender: { id, name }, timestamp (epoch ms), type: "text", conversationId? }`.
 * Without a conversationId klink starts a new conversation; with one it adds to that conversation.
 */
export const MESSAGE_TYPES = ['text'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export interface CustomChannelMessage {
	messageId: string;
	content: string;
	sender: { id: string; name: string };
	timestamp: number;
	type: MessageType;
	conversationId?: string;
}

/** 2000-01-01T00:00:00Z: anything earlier is almost certainly a timestamp in seconds, not milliseconds. */
export const MIN_TIMESTAMP_MS = 946_684_800_000;
/** 2100-01-01T00:00:00Z */
export const MAX_TIMESTAMP_MS = 4_102_444_800_000;

/** The node's parameter names, with the label the editor shows, so errors name the field a user can find. */
export const FIELD_LABELS = {
	content: 'Content',
	senderId: 'Sender ID',
	senderName: 'Sender Name',
	conversationId: 'Conversation ID',
	messageId: 'Message ID',
	timestamp: 'Timestamp',
	messageType: 'Message Type',
} as const;
export type MessageField = keyof typeof FIELD_LABELS;

function fieldName(field: MessageField): string {
	return `${FIELD_LABELS[field]} (${field})`;
}

function describeType(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object') return 'an object';
	return `a ${typeof value}`;
}

function isBlank(value: unknown): boolean {
	return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/**
 * The checks below are plain functions rather than a zod schema: they run once per item on n8n's event loop,
 * where a zod object of transforms cost about 50 µs an item (more than the rest of the node's own work).
 * Each returns the value or an issue; the messages are the ones users see.
 */
type Check<T> = { value: T } | { issue: string };

/** Text or a number (ids are often numeric upstream), as a string. */
function textValue(field: MessageField, value: unknown, trim: boolean): Check<string> {
	if (typeof value === 'string') return { value: trim ? value.trim() : value };
	if (typeof value === 'number' && Number.isFinite(value)) return { value: String(value) };
	if (typeof value === 'bigint') return { value: value.toString() };
	return { issue: `${fieldName(field)} must be text, got ${describeType(value)}` };
}

function requiredText(field: MessageField, value: unknown, trim: boolean): Check<string> {
	if (isBlank(value)) return { issue: `${fieldName(field)} is required and must not be empty` };
	return textValue(field, value, trim);
}

function optionalText(field: MessageField, value: unknown): Check<string | undefined> {
	if (isBlank(value)) return { value: undefined };
	return textValue(field, value, true);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * Epoch milliseconds from a number, a numeric string, an ISO 8601 date (read as UTC when it names no zone),
 * a Date, or a Luxon DateTime (what n8n's `$now` is). Returns a message when the value is none of these.
 */
export function parseTimestamp(value: unknown): { ms: number } | { error: string } {
	const label = fieldName('timestamp');
	let ms: number;
	if (typeof value === 'number') {
		ms = value;
	} else if (typeof value === 'string') {
		const text = value.trim();
		if (/^[+-]?\d+(?:\.\d+)?$/.test(text)) {
			ms = Number(text);
		} else {
			const match = ISO_DATE.exec(text);
			if (!match) {
				return {
					error: `${label} must be epoch milliseconds, a numeric string or an ISO 8601 date, got "${text.slice(0, 40)}"`,
				};
			}
			const hasTime = /\d[T ]\d/i.test(text);
			const hasZone = match[1] !== undefined;
			ms = Date.parse(hasTime && !hasZone ? `${text.replace(' ', 'T')}Z` : text.replace(' ', 'T'));
			if (Number.isNaN(ms)) return { error: `${label} is not a valid date: "${text.slice(0, 40)}"` };
		}
	} else if (value instanceof Date) {
		ms = value.getTime();
	} else if (value && typeof value === 'object' && typeof (value as { toMillis?: unknown }).toMillis === 'function') {
		ms = Number((value as { toMillis: () => unknown }).toMillis());
	} else {
		return { error: `${label} must be epoch milliseconds or a date, got ${describeType(value)}` };
	}
	if (!Number.isFinite(ms)) return { error: `${label} is not a valid point in time` };
	ms = Math.round(ms);
	if (ms < MIN_TIMESTAMP_MS) {
		const looksLikeSeconds = ms >= MIN_TIMESTAMP_MS / 1000 && ms < MAX_TIMESTAMP_MS / 1000;
		return {
			error: looksLikeSeconds
				? `${label} must be in milliseconds; ${ms} looks like seconds (multiply it by 1000)`
				: `${label} ${ms} is before the year 2000; it must be epoch milliseconds`,
		};
	}
	if (ms > MAX_TIMESTAMP_MS) return { error: `${label} ${ms} is after the year 2100; it must be epoch milliseconds` };
	return { ms };
}

function timestampValue(value: unknown): Check<number | undefined> {
	if (isBlank(value)) return { value: undefined };
	const parsed = parseTimestamp(value);
	return 'error' in parsed ? { issue: parsed.error } : { value: parsed.ms };
}

function messageTypeValue(value: unknown): Check<MessageType> {
	if (isBlank(value)) return { value: 'text' };
	if (typeof value === 'string' && (MESSAGE_TYPES as readonly string[]).includes(value.trim())) {
		return { value: value.trim() as MessageType };
	}
	return {
		issue: `${fieldName('messageType')} must be one of ${MESSAGE_TYPES.join(', ')} (klink.cloud does not accept images or files yet), got ${
			typeof value === 'string' ? `"${value.slice(0, 40)}"` : describeType(value)
		}`,
	};
}

export type MessageFieldsInput = Partial<Record<MessageField, unknown>>;

/** One item's validated parameters. */
export interface MessageFields {
	content: string;
	senderId: string;
	senderName: string;
	conversationId: string | undefined;
	messageId: string | undefined;
	timestamp: number | undefined;
	messageType: MessageType;
}

export type FieldsResult =
	| { ok: true; fields: MessageFields }
	| { ok: false; field: MessageField | undefined; message: string; issues: string[] };

/**
 * Validates one item's fields, in parameter order. On failure, `message` names the first bad field; `issues`
 * lists them all.
 */
export function parseMessageFields(input: MessageFieldsInput): FieldsResult {
	const checks: { [K in MessageField]: Check<MessageFields[K]> } = {
		content: requiredText('content', input.content, false),
		senderId: requiredText('senderId', input.senderId, true),
		senderName: requiredText('senderName', input.senderName, true),
		conversationId: optionalText('conversationId', input.conversationId),
		messageId: optionalText('messageId', input.messageId),
		timestamp: timestampValue(input.timestamp),
		messageType: messageTypeValue(input.messageType),
	};
	const issues: string[] = [];
	let field: MessageField | undefined;
	for (const name of Object.keys(checks) as MessageField[]) {
		const check = checks[name];
		if ('issue' in check) {
			field ??= name;
			issues.push(check.issue);
		}
	}
	if (issues.length > 0) return { ok: false, field, message: issues[0], issues };
	const value = <K extends MessageField>(name: K) => (checks[name] as { value: MessageFields[K] }).value;
	return {
		ok: true,
		fields: {
			content: value('content'),
			senderId: value('senderId'),
			senderName: value('senderName'),
			conversationId: value('conversationId'),
			messageId: value('messageId'),
			timestamp: value('timestamp'),
			messageType: value('messageType'),
		},
	};
}

/** The wire format klink accepts; buildRequestBody checks every body it builds against the same rules. */
export const customChannelMessageSchema = z
	.object({
		messageId: z.string().min(1),
		content: z.string().refine((value) => value.trim() !== '', 'content must not be empty'),
		sender: z.object({ id: z.string().min(1), name: z.string().min(1) }).strict(),
		timestamp: z.number().int().min(MIN_TIMESTAMP_MS).max(MAX_TIMESTAMP_MS),
		type: z.enum(MESSAGE_TYPES),
		conversationId: z.string().min(1).optional(),
	})
	.strict();

/**
 * The request body for validated fields. `messageId` and `now` fill in what the item left empty; the
 * conversationId key is left out entirely (not sent empty) when the message starts a new conversation.
 */
export function buildRequestBody(fields: MessageFields, defaults: { messageId: string; now: number }): CustomChannelMessage {
	const body: CustomChannelMessage = {
		messageId: fields.messageId ?? defaults.messageId,
		content: fields.content,
		sender: { id: fields.senderId, name: fields.senderName },
		timestamp: fields.timestamp ?? Math.round(defaults.now),
		type: fields.messageType,
	};
	if (fields.conversationId !== undefined) body.conversationId = fields.conversationId;
	const problem = wireProblem(body);
	if (problem) throw new RangeError(`Not a valid Custom Channel message: ${problem}`);
	return body;
}

/**
 * What `customChannelMessageSchema` would reject in a body built here, checked without zod (it runs for every
 * message); undefined when the body is valid. The body's keys are the ones buildRequestBody sets.
 */
function wireProblem(body: CustomChannelMessage): string | undefined {
	if (typeof body.messageId !== 'string' || body.messageId.length === 0) return 'messageId is empty';
	if (typeof body.content !== 'string' || body.content.trim() === '') return 'content must not be empty';
	if (typeof body.sender.id !== 'string' || body.sender.id.length === 0) return 'sender.id is empty';
	if (typeof body.sender.name !== 'string' || body.sender.name.length === 0) return 'sender.name is empty';
	const { timestamp } = body;
	if (!Number.isInteger(timestamp) || timestamp < MIN_TIMESTAMP_MS || timestamp > MAX_TIMESTAMP_MS) return 'timestamp is out of range';
	if (!(MESSAGE_TYPES as readonly string[]).includes(body.type)) return 'type is not supported';
	if (body.conversationId !== undefined && (typeof body.conversationId !== 'string' || body.conversationId.length === 0)) {
		return 'conversationId is empty';
	}
	return undefined;
}
