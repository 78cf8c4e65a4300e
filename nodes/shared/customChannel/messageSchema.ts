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

/** Text or a number (ids are often numeric upstream), as a string. */
function textValue(field: MessageField, { trim }: { trim: boolean }) {
	return z.unknown().transform((value, ctx): string => {
		if (typeof value === 'string') return trim ? value.trim() : value;
		if (typeof value === 'number' && Number.isFinite(value)) return String(value);
		if (typeof value === 'bigint') return value.toString();
		ctx.addIssue({
			code: z.ZodIssueCode.custom,
			message: `${fieldName(field)} must be text, got ${describeType(value)}`,
		});
		return z.NEVER;
	});
}

function requiredText(field: MessageField, options: { trim: boolean }) {
	const text = textValue(field, options);
	return z.unknown().transform((value, ctx): string => {
		if (isBlank(value)) {
			ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${fieldName(field)} is required and must not be empty` });
			return z.NEVER;
		}
		const parsed = text.safeParse(value);
		if (!parsed.success) {
			for (const issue of parsed.error.issues) ctx.addIssue({ code: z.ZodIssueCode.custom, message: issue.message });
			return z.NEVER;
		}
		return parsed.data;
	});
}

function optionalText(field: MessageField) {
	const text = textValue(field, { trim: true });
	return z.unknown().transform((value, ctx): string | undefined => {
		if (isBlank(value)) return undefined;
		const parsed = text.safeParse(value);
		if (!parsed.success) {
			for (const issue of parsed.error.issues) ctx.addIssue({ code: z.ZodIssueCode.custom, message: issue.message });
			return z.NEVER;
		}
		return parsed.data;
	});
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

const timestampValue = z.unknown().transform((value, ctx): number | undefined => {
	if (isBlank(value)) return undefined;
	const parsed = parseTimestamp(value);
	if ('error' in parsed) {
		ctx.addIssue({ code: z.ZodIssueCode.custom, message: parsed.error });
		return z.NEVER;
	}
	return parsed.ms;
});

const messageTypeValue = z.unknown().transform((value, ctx): MessageType => {
	if (isBlank(value)) return 'text';
	if (typeof value === 'string' && (MESSAGE_TYPES as readonly string[]).includes(value.trim())) {
		return value.trim() as MessageType;
	}
	ctx.addIssue({
		code: z.ZodIssueCode.custom,
		message: `${fieldName('messageType')} must be one of ${MESSAGE_TYPES.join(', ')} (klink.cloud does not accept images or files yet), got ${
			typeof value === 'string' ? `"${value.slice(0, 40)}"` : describeType(value)
		}`,
	});
	return z.NEVER;
});

/** One item's parameters, as the node reads them, to validated values. Field order is the order of checks. */
export const messageFieldsSchema = z.object({
	content: requiredText('content', { trim: false }),
	senderId: requiredText('senderId', { trim: true }),
	senderName: requiredText('senderName', { trim: true }),
	conversationId: optionalText('conversationId'),
	messageId: optionalText('messageId'),
	timestamp: timestampValue,
	messageType: messageTypeValue,
});

export type MessageFieldsInput = Partial<Record<MessageField, unknown>>;
export type MessageFields = z.output<typeof messageFieldsSchema>;

export type FieldsResult =
	| { ok: true; fields: MessageFields }
	| { ok: false; field: MessageField | undefined; message: string; issues: string[] };

/** Validates one item's fields. On failure, `message` names the first bad field; `issues` lists them all. */
export function parseMessageFields(input: MessageFieldsInput): FieldsResult {
	const parsed = messageFieldsSchema.safeParse(input);
	if (parsed.success) return { ok: true, fields: parsed.data };
	const issues = parsed.error.issues;
	const first = issues[0];
	const field = first && typeof first.path[0] === 'string' ? (first.path[0] as MessageField) : undefined;
	return {
		ok: false,
		field,
		message: first ? first.message : 'Invalid message',
		issues: issues.map((issue) => issue.message),
	};
}

/** The wire format, checked once more right before sending. */
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
	return customChannelMessageSchema.parse(body);
}
