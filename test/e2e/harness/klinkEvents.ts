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

/**
 * Raw JSON text as a non-JavaScript sender could write it: unicode (CJK, Myanmar, emoji raw and as escaped
 * surrogate pairs), HTML characters, escapes JavaScript would not write, nested objects, integers beyond
 * 2^53, exponents, -0, and keys out of order. Go decodes every number to float64 before re-encoding.
 */
export function hardBodyRaw(): { raw: string; messageId: string; text: string } {
	const messageId = randomUUID();
	const text = 'Ünïcödé <b>&amp;</b> 😀 \u2028 done';
	const raw = String.raw`{
  "zeta": {"日本": "こんにちは", "မြန်မာ": "မင်္ဂလာပါ", "emoji": "😀👍🏽 \ud83d\ude80", "nested": {"deeper": [1, 2.50, -0.000001, 1e21, 12345678901234567890, 1E+2]}},
  "event": "message.inbound",
  "html": "<script>alert(\"x&y\")</script> \u2028 \u2029 tab\tnew\nline \/ slash \u00e9",
  "data": {"id": "${messageId}", "message": ${JSON.stringify(text)},
    "room": {"unreadCount": 3, "channel": {"type": "telegram"}, "isGroup": false},
    "amounts": [0, -0, 1.5, 1e-7, 9007199254740993, 3.141592653589793, 0.1e1, 5e-324]},
  "alpha": null, "\ue000": "private use", "😀": "astral key", "10": "ten", "9": "nine"
}`;
	return { raw, messageId, text };
}
