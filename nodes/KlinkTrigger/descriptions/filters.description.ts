import type { INodeProperties } from 'n8n-workflow';

const roomFilterOptions = (what: string) => [
	{ name: 'All', value: 'all', description: `Both ${what} and other conversations` },
	{ name: 'Exclude', value: 'exclude', description: `Drop ${what}` },
	{ name: 'Only', value: 'only', description: `Only ${what}` },
];

export const filtersProperty: INodeProperties = {
	displayName: 'Filters',
	name: 'filters',
	type: 'collection',
	placeholder: 'Add Filter',
	default: {},
	description:
		'Checked before any execution starts: an event that does not match gets a 200 and starts nothing. A filter on a field the event does not carry does not match.',
	options: [
		{
			displayName: 'AI Agent Rooms',
			name: 'aiAgentRooms',
			type: 'options',
			options: roomFilterOptions('conversations handled by a klink AI agent'),
			default: 'all',
		},
		{
			displayName: 'Channels',
			name: 'channels',
			type: 'multiOptions',
			options: [
				{ name: 'Custom Channel', value: 'custom' },
				{ name: 'Email', value: 'email' },
				{ name: 'Facebook', value: 'facebook' },
				{ name: 'Instagram', value: 'instagram' },
				{ name: 'LINE', value: 'line' },
				{ name: 'Live Chat', value: 'livechat' },
				{ name: 'Telegram', value: 'telegram' },
				{ name: 'Viber', value: 'viber' },
				{ name: 'WhatsApp', value: 'whatsapp' },
			],
			default: [],
			description: 'Only events from these channels (data.room.channel.type)',
		},
		{
			displayName: 'Direction',
			name: 'direction',
			type: 'options',
			options: [
				{ name: 'Any', value: 'any' },
				{ name: 'Incoming', value: 'incoming', description: 'Sent by the customer' },
				{ name: 'Outgoing', value: 'outgoing', description: 'Sent by an agent or AI' },
			],
			default: 'any',
		},
		{
			displayName: 'Group Chats',
			name: 'groupChats',
			type: 'options',
			options: roomFilterOptions('group chats'),
			default: 'all',
		},
		{
			displayName: 'Keywords',
			name: 'keywords',
			type: 'string',
			default: '',
			placeholder: 'refund, urgent, cancel',
			description:
				'Only messages whose text contains any of these words (comma-separated, case-insensitive)',
		},
		{
			displayName: 'Minimum Unread Count',
			name: 'minUnreadCount',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 1,
			description: 'Only events whose conversation has at least this many unread messages',
		},
		{
			displayName: 'Other Channels',
			name: 'otherChannels',
			type: 'string',
			default: '',
			placeholder: 'wechat, sms',
			description:
				'Channel types not in the list above, as klink.cloud names them (comma-separated); matched together with Channels',
		},
	],
};
