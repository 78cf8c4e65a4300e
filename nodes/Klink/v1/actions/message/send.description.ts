import { updateDisplayOptions, type INodeProperties } from 'n8n-workflow';

import { SEND_OPTION_LIMITS } from '../../../../shared/customChannel/sendOptions';

/**
 * Parameters of Message > Send. Their names are part of the node's public interface (saved workflows and
 * AI agents refer to them): never rename one; add new ones with a default that keeps today's behaviour.
 */
const properties: INodeProperties[] = [
	{
		displayName: 'Content',
		name: 'content',
		type: 'string',
		typeOptions: { rows: 3 },
		required: true,
		default: '',
		placeholder: 'e.g. Hello, I need help with my order',
		description:
			"Text of the message as the sender below wrote it. Agents see it in the klink.cloud inbox as a message from the customer's side, not as an agent reply.",
	},
	{
		displayName: 'Sender ID',
		name: 'senderId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. user-123',
		description:
			'Stable ID of the customer (or other platform user) writing, as your platform knows them: user ID, phone number, email. klink.cloud uses it to recognise the same contact across messages.',
	},
	{
		displayName: 'Sender Name',
		name: 'senderName',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. John Doe',
		description: "Name the klink.cloud inbox shows for the sender, on the customer's side of the conversation",
	},
	{
		displayName: 'Conversation ID',
		name: 'conversationId',
		type: 'string',
		default: '',
		placeholder: 'e.g. ca7de328-32da-4468-bae0-872e94f56be0',
		description:
			'ID of an existing klink.cloud conversation to add this message to. Leave empty to start a new conversation.',
	},
	{
		displayName: 'Message Type',
		name: 'messageType',
		type: 'options',
		options: [
			{
				name: 'Text',
				value: 'text',
				description: 'A plain text message',
			},
		],
		default: 'text',
		description: 'Kind of message to send. klink.cloud accepts text messages only for now.',
	},
	{
		displayName: 'Images and files are coming soon on klink.cloud; until then only text messages can be sent',
		name: 'messageTypeNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Message ID',
		name: 'messageId',
		type: 'string',
		default: '',
		placeholder: 'e.g. msg-001',
		description:
			'Unique ID of this message on your platform; klink.cloud ignores a second message with the same ID. Leave empty to use an ID derived from the execution, this node and the item, so retries never post the message twice.',
	},
	{
		displayName: 'Timestamp',
		name: 'timestamp',
		type: 'string',
		default: '',
		placeholder: 'e.g. 1765440758023 or 2025-12-11T08:12:38Z',
		description:
			'When the message was written: epoch milliseconds, a numeric string, or an ISO 8601 date (read as UTC when it has no time zone). Leave empty to use the current time.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Concurrency',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: SEND_OPTION_LIMITS.concurrency.min, maxValue: SEND_OPTION_LIMITS.concurrency.max },
				default: 5,
				description:
					'How many conversations to send to at the same time. Messages of one conversation (or, without a conversation ID, of one sender) always go one after another, in input order.',
			},
			{
				displayName: 'Max Retries',
				name: 'maxRetries',
				type: 'number',
				typeOptions: { minValue: SEND_OPTION_LIMITS.maxRetries.min, maxValue: SEND_OPTION_LIMITS.maxRetries.max },
				default: 3,
				description:
					'How many times to try a message again when klink.cloud answers 429 or 5xx or cannot be reached. Other errors are never retried. 0 turns retrying off.',
			},
			{
				displayName: 'Max Retry Delay (Ms)',
				name: 'maxRetryDelay',
				type: 'number',
				typeOptions: {
					minValue: SEND_OPTION_LIMITS.maxRetryDelay.min,
					maxValue: SEND_OPTION_LIMITS.maxRetryDelay.max,
				},
				default: 30000,
				description:
					'Longest wait between two attempts, in milliseconds, also when klink.cloud asks for a longer one with Retry-After',
			},
			{
				displayName: 'Retry Delay (Ms)',
				name: 'retryDelay',
				type: 'number',
				typeOptions: { minValue: SEND_OPTION_LIMITS.retryDelay.min, maxValue: SEND_OPTION_LIMITS.retryDelay.max },
				default: 1000,
				description:
					'Wait before the first retry, in milliseconds; it doubles for each further retry. A longer Retry-After from klink.cloud wins.',
			},
			{
				displayName: 'Timeout (Ms)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: SEND_OPTION_LIMITS.timeout.min, maxValue: SEND_OPTION_LIMITS.timeout.max },
				default: 30000,
				description:
					'How long to wait for klink.cloud to answer one attempt, in milliseconds. A timed-out attempt is retried with the same message ID.',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['send'] } }, properties);
