import type { INodeProperties } from 'n8n-workflow';

import { ANY_EVENT } from '../../shared/events/filters';

export const eventsProperty: INodeProperties = {
	displayName: 'Events',
	name: 'events',
	type: 'multiOptions',
	required: true,
	default: [ANY_EVENT],
	description:
		'The klink.cloud events that start the workflow; others get a 200 and start nothing. Developer Tools apps send message.inbound, message.outbound and contact events; a Custom Channel sends message.received, message.sent and conversation events.',
	options: [
		{
			name: 'All Events',
			value: ANY_EVENT,
			description: 'Every event, including ones klink.cloud adds later',
		},
		{
			name: 'Contact Created',
			value: 'contact.created',
			description: 'Developer Tools app: a new contact was added',
		},
		{
			name: 'Contact Updated',
			value: 'contact.updated',
			description: "Developer Tools app: a contact's information changed",
		},
		{
			name: 'Conversation Closed',
			value: 'conversation.closed',
			description: 'Custom Channel: a conversation was closed',
		},
		{
			name: 'Conversation Created',
			value: 'conversation.created',
			description: 'Custom Channel: a new conversation started',
		},
		{
			name: 'Message Inbound',
			value: 'message.inbound',
			description: 'Developer Tools app: a customer sent a message',
		},
		{
			name: 'Message Outbound',
			value: 'message.outbound',
			description: 'Developer Tools app: an agent or AI sent a message',
		},
		{
			name: 'Message Received',
			value: 'message.received',
			description: 'Custom Channel: a customer sent a message',
		},
		{
			name: 'Message Sent',
			value: 'message.sent',
			description: 'Custom Channel: an agent replied',
		},
	],
};
