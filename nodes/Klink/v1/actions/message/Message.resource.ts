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
				// The action is also what an AI agent reads by default ("<action> in Klink"): it must say whose message it is.
				action: 'Post a message as the customer',
				description:
					"Post a message into the klink.cloud inbox through the Custom Channel's inbound webhook. Agents see it as written by the sender you name (the customer's side), never as an agent reply, and klink.cloud does not deliver it to the customer.",
			},
		],
		default: 'send',
	},
	...send.description,
];
