import { eventKey } from './dedupe';

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
