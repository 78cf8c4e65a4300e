import { simplifyEvent } from './simplifyEvent';

describe('simplifyEvent', () => {
	it('gives every field, null where the event has none', () => {
		expect(simplifyEvent({ event: 'contact.created', contactId: 'c1' })).toEqual({
			event: 'contact.created',
			messageId: null,
			conversationId: null,
			contactId: 'c1',
			channel: null,
			direction: null,
			text: null,
			sender: null,
			unreadCount: null,
			isGroup: null,
			isAiAgentRoom: null,
			timestamp: null,
		});
	});

	it('keeps false and zero values and fills missing sender parts', () => {
		const item = simplifyEvent({ event: 'message.sent', unreadCount: 0, isGroup: false, sender: { name: 'Agent' } });
		expect(item).toMatchObject({ unreadCount: 0, isGroup: false, sender: { id: null, name: 'Agent', role: null } });
	});
});
