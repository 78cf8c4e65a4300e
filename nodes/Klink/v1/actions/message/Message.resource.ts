import type { INodeProperties } from 'n8n-workflow';

import * as send from './send.operation';

export { send };

/** Operations of the Message resource. New operations are added here with their own description file. */
export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['message'] } },
		options: [
			{
				name: 'Send',
				value: 'send',
				action: 'Send a message',
				description:
					'Post a message into the klink.cloud unified inbox as if a customer wrote it, starting a new conversation or adding to an existing one',
			},
		],
		default: 'send',
	},
	...send.description,
];
