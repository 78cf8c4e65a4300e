import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeBaseDescription,
	INodeTypeDescription,
} from 'n8n-workflow';

import { klinkIcon } from '../icon';
import { router } from './actions/router';
import { versionInputs, versionOutputs, versionProperties } from './actions/versionDescription';
import { credentialTest } from './methods/credentialTest';

export class KlinkV1 implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Klink',
		name: 'klink',
		icon: klinkIcon,
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description:
			'Post messages into the klink.cloud inbox through a Custom Channel, as written by the customer or user you name as sender. Not for agent replies: the customer never receives these messages.',
		defaults: {
			name: 'Klink',
		},
		usableAsTool: true,
		inputs: versionInputs,
		outputs: versionOutputs,
		credentials: [
			{
				name: 'klinkCustomChannelApi',
				required: true,
				testedBy: 'klinkCustomChannelApiTest',
			},
		],
		properties: versionProperties,
	};

	methods = { credentialTest };

	constructor(baseDescription: INodeTypeBaseDescription) {
		// The version's own values win; the base adds what only the versioned wrapper knows (defaultVersion).
		this.description = { ...baseDescription, ...this.description };
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
