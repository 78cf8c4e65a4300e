import { randomUUID } from 'crypto';

/** Bodies shaped like the ones klink documents, with fresh ids so every test event is a new event. */
export function messageInbound(overrides: { text?: string; channel?: string; unreadCount?: number; isGroup?: boolean; isAiAgentRoom?: boolean; direction?: string; event?: string } = {}) {
	const text = overrides.text ?? 'thanks. ill think about it first';
	return {
		event: overrides.event ?? 'message.inbound',
		timestamp: new Date().toISOString(),
		data: {
			id: randomUUID(),
			type: 'text',
			direction: overrides.direction ?? 'incoming',
			message: text,
			createdAt: new Date().toISOString(),
			contactId: randomUUID(),
			roomId: randomUUID(),
			platformId: 'waapi-66650491488@c.us',
			room: {
				isGroup: overrides.isGroup ?? false,
				isAiAgentRoom: overrides.isAiAgentRoom ?? false,
				channel: { type: overrides.channel ?? 'whatsapp', name: 'klink.cloud WA' },
				lastMessage: text,
				unreadCount: overrides.unreadCount ?? 1,
			},
		},
	};
}

export function messageOutbound() {
	return messageInbound({ event: 'message.outbound', direction: 'outgoing', text: 'How can I help you?' });
}

export function contactEvent(event: 'contact.created' | 'contact.updated') {
	const now = new Date().toISOString();
	return {
		event,
		timestamp: now,
		data: { id: randomUUID(), name: 'Aye Chan', phone: '+95 9 123 456 789', updatedAt: now, tags: ['vip'] },
	};
}

export function customChannelMessage(event: 'message.received' | 'message.sent') {
	return {
		event,
		conversationId: randomUUID(),
		message: {
			id: randomUUID(),
			content: event === 'message.sent' ? 'How can I help you?' : 'My order has not arrived',
			sender: event === 'message.sent' ? { role: 'agent', name: 'Support Agent' } : { role: 'customer', name: 'John Doe', id: 'user-123' },
			timestamp: Date.now(),
		},
	};
}

export function conversationEvent(event: 'conversation.created' | 'conversation.closed') {
	return { event, conversationId: randomUUID(), timestamp: Date.now() };
}

/** Unicode (CJK, Myanmar, emoji), HTML characters, nested objects, numbers of every kind, keys out of order. */
export function hardBody() {
	return {
		zeta: { '日本': 'こんにちは', 'မြန်မာ': 'မင်္ဂလာပါ', emoji: '😀👍🏽', nested: { deeper: [1, 2.5, -0.000001, 1e21, 12345678901234567890] } },
		event: 'message.inbound',
		html: '<script>alert("x&y")</script> \u2028 \u2029 tab\tnew\nline',
		data: {
			id: randomUUID(),
			message: 'Ünïcödé <b>&amp;</b> 😀',
			room: { unreadCount: 3, channel: { type: 'telegram' }, isGroup: false },
			amounts: [0, -0, 1.5, 1e-7, 9007199254740993, 3.141592653589793],
		},
		alpha: null,
		'\uE000': 'private use',
		'\u{1F600}': 'astral key',
	};
}
