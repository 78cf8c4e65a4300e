import { EventBodyError, readKlinkEvent } from './klinkEvent';

// The example bodies of klink's own documents (reference/klink-webhook-integration-guide.md and
// reference/klink-custom-channel.md).
const documentedInbound = {
	event: 'message.inbound',
	timestamp: '2025-12-23T11:16:55.943Z',
	data: {
		id: '39206a79-bc74-40c3-9dca-823f13cb7026',
		type: 'text',
		direction: 'incoming',
		message: 'thanks. ill think about it first',
		createdAt: '2025-12-23T11:16:52.949Z',
		contactId: '050823aa-8443-4fed-9951-f58d3b18c4eb',
		roomId: '1f13f5d8-e426-42c7-9ce1-f50862f21965',
		platformId: 'waapi-66650491488@c.us',
		room: {
			isGroup: true,
			isAiAgentRoom: true,
			channel: { type: 'whatsapp', name: 'klink.cloud WA' },
			lastMessage: 'thanks. ill think about it first',
			unreadCount: 5,
		},
	},
};

const documentedCustomChannel = {
	event: 'message.sent',
	conversationId: 'ca7de328-32da-4468-bae0-872e94f56be0',
	message: {
		content: 'How can I help you?',
		sender: { role: 'agent', name: 'Support Agent' },
		timestamp: 1765440789000,
	},
};

describe('readKlinkEvent', () => {
	it('reads a Developer Tools message event', () => {
		expect(readKlinkEvent(documentedInbound)).toEqual({
			event: 'message.inbound',
			messageId: '39206a79-bc74-40c3-9dca-823f13cb7026',
			conversationId: '1f13f5d8-e426-42c7-9ce1-f50862f21965',
			contactId: '050823aa-8443-4fed-9951-f58d3b18c4eb',
			channel: 'whatsapp',
			channelName: 'klink.cloud WA',
			direction: 'incoming',
			text: 'thanks. ill think about it first',
			messageType: 'text',
			unreadCount: 5,
			isGroup: true,
			isAiAgentRoom: true,
			timestamp: '2025-12-23T11:16:55.943Z',
		});
	});

	it('reads a Custom Channel outbound event as an outgoing custom-channel message', () => {
		expect(readKlinkEvent(documentedCustomChannel)).toEqual({
			event: 'message.sent',
			conversationId: 'ca7de328-32da-4468-bae0-872e94f56be0',
			channel: 'custom',
			direction: 'outgoing',
			text: 'How can I help you?',
			sender: { role: 'agent', name: 'Support Agent' },
			timestamp: 1765440789000,
		});
	});

	it('takes the contact id and the update time of contact events', () => {
		const view = readKlinkEvent({
			event: 'contact.updated',
			timestamp: '2026-01-01T00:00:00Z',
			data: { id: 'contact-9', name: 'Aye', updatedAt: '2026-01-01T00:00:01Z' },
		});
		expect(view).toMatchObject({ event: 'contact.updated', contactId: 'contact-9', revision: '2026-01-01T00:00:01Z' });
		expect(view.messageId).toBeUndefined();
	});

	it('falls back to the event name for the direction and lower-cases the channel', () => {
		const view = readKlinkEvent({ event: 'message.outbound', data: { id: 'm', room: { channel: { type: 'Telegram' } } } });
		expect(view).toMatchObject({ direction: 'outgoing', channel: 'telegram' });
	});

	it('drops fields of the wrong type instead of failing, and keeps unknown events', () => {
		const view = readKlinkEvent({
			event: 'room.assigned',
			data: { id: 42, room: { unreadCount: 'many', isGroup: 'yes', channel: 'whatsapp' }, message: { rich: true } },
			somethingNew: [1, 2],
		});
		expect(view).toEqual({ event: 'room.assigned', messageId: '42' });
	});

	it('accepts an object without an event name', () => {
		expect(readKlinkEvent({ hello: 'world' })).toEqual({ event: '' });
	});

	it.each([[null], [[1, 2]], ['text'], [12]])('rejects a body that is not a JSON object: %p', (body) => {
		expect(() => readKlinkEvent(body)).toThrow(EventBodyError);
	});
});
