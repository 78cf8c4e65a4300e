import { NodeConnectionTypes, type INodeTypeDescription } from 'n8n-workflow';

import * as message from './message/Message.resource';

/** Properties of version 1 of the Klink node (resource and operation first, then each resource's own). */
export const versionProperties: INodeTypeDescription['properties'] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Message',
				value: 'message',
			},
		],
		default: 'message',
	},
	...message.description,
];

export const versionInputs: INodeTypeDescription['inputs'] = [NodeConnectionTypes.Main];
export const versionOutputs: INodeTypeDescription['outputs'] = [NodeConnectionTypes.Main];
