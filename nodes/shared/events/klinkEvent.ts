import { z } from 'zod';

/**
 * klink sends two families of webhook bodies:
 * - Developer Tools app webhooks: `{ event, timestamp, data: { id, roomId, contactId, message, room: {...} } }`
 *   (`message.inbound`, `message.outbound`, `contact.created`, `contact.updated`);
 * - the Custom Channel outbound webhook: `{ event, conversationId, message: { content, sender, timestamp } }`
 *   (`message.received`, `message.sent`, `conversation.created`, `conversation.closed`).
 * Both are read into one flat view. Every field is optional and a field of the wrong type is dropped rather
 * than failing the event: klink adds fields and events over time and a trigger must never reject them.
 */
export interface KlinkEventView {
	event: string;
	messageId?: string;
	conversationId?: string;
	contactId?: string;
	channel?: string;
	channelName?: string;
	direction?: 'incoming' | 'outgoing';
	text?: string;
	messageType?: string;
	sender?: { id?: string; name?: string; role?: string };
	unreadCount?: number;
	isGroup?: boolean;
	isAiAgentRoom?: boolean;
	timestamp?: string | number;
	/** A value that changes whenever the described entity changes (contact edits, conversation reopenings). */
	revision?: string;
}

export class EventBodyError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'EventBodyError';
	}
}

const text = z
	.union([z.string(), z.number()])
	.transform((value) => String(value))
	.optional()
	.catch(undefined);
const flag = z.boolean().optional().catch(undefined);
const count = z.number().finite().optional().catch(undefined);
const stamp = z.union([z.string(), z.number()]).optional().catch(undefined);
const looseObject = <T extends z.ZodRawShape>(shape: T) =>
	z.object(shape).passthrough().optional().catch(undefined);

const senderSchema = looseObject({ id: text, name: text, role: text });

const developerDataSchema = looseObject({
	id: text,
	type: text,
	direction: text,
	message: text,
	createdAt: stamp,
	updatedAt: stamp,
	contactId: text,
	roomId: text,
	sender: senderSchema,
	room: looseObject({
		isGroup: flag,
		isAiAgentRoom: flag,
		unreadCount: count,
		channel: looseObject({ type: text, name: text }),
	}),
});

const customChannelMessageSchema = looseObject({
	id: text,
	messageId: text,
	content: text,
	type: text,
	sender: senderSchema,
	timestamp: stamp,
});

const bodySchema = z
	.object({
		event: text,
		timestamp: stamp,
		conversationId: text,
		data: developerDataSchema,
		message: customChannelMessageSchema,
	})
	.passthrough();

const CUSTOM_CHANNEL_DIRECTIONS: Record<string, 'incoming' | 'outgoing'> = {
	'message.received': 'incoming',
	'message.sent': 'outgoing',
};

function readDirection(value: string | undefined): 'incoming' | 'outgoing' | undefined {
	const lowered = value?.toLowerCase();
	if (lowered === 'incoming' || lowered === 'inbound') return 'incoming';
	if (lowered === 'outgoing' || lowered === 'outbound') return 'outgoing';
	return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a decoded klink webhook body. Throws EventBodyError only when the body is not a JSON object. */
export function readKlinkEvent(body: unknown): KlinkEventView {
	if (!isPlainObject(body)) {
		throw new EventBodyError('klink webhook body must be a JSON object');
	}
	const parsed = bodySchema.parse(body);
	const event = parsed.event ?? '';
	const { data, message } = parsed;

	if (data && !message) {
		const isContactEvent = event.startsWith('contact.');
		const room = data.room;
		return prune({
			event,
			messageId: isContactEvent ? undefined : data.id,
			conversationId: data.roomId,
			contactId: isContactEvent ? (data.id ?? data.contactId) : data.contactId,
			channel: room?.channel?.type?.toLowerCase(),
			channelName: room?.channel?.name,
			direction:
				readDirection(data.direction) ??
				(event === 'message.inbound' ? 'incoming' : event === 'message.outbound' ? 'outgoing' : undefined),
			text: data.message,
			messageType: data.type,
			sender: data.sender ? prune({ id: data.sender.id, name: data.sender.name, role: data.sender.role }) : undefined,
			unreadCount: room?.unreadCount,
			isGroup: room?.isGroup,
			isAiAgentRoom: room?.isAiAgentRoom,
			timestamp: parsed.timestamp ?? data.createdAt,
			revision: isContactEvent ? stringOf(data.updatedAt ?? parsed.timestamp) : undefined,
		});
	}

	return prune({
		event,
		messageId: message?.id ?? message?.messageId,
		conversationId: parsed.conversationId,
		channel: event.startsWith('message.') || event.startsWith('conversation.') ? 'custom' : undefined,
		direction: CUSTOM_CHANNEL_DIRECTIONS[event],
		text: message?.content,
		messageType: message?.type,
		sender: message?.sender
			? prune({ id: message.sender.id, name: message.sender.name, role: message.sender.role })
			: undefined,
		timestamp: message?.timestamp ?? parsed.timestamp,
		revision: event.startsWith('conversation.') ? stringOf(parsed.timestamp) : undefined,
	});
}

function stringOf(value: string | number | undefined): string | undefined {
	return value === undefined ? undefined : String(value);
}

/** Drops undefined fields so that simplified output and stored keys carry no empty noise. */
function prune<T extends object>(value: T): T {
	for (const key of Object.keys(value) as Array<keyof T>) {
		if (value[key] === undefined) delete value[key];
	}
	return value;
}
