import { VersionedNodeType, type INodeTypeBaseDescription, type IVersionedNodeType } from 'n8n-workflow';

import { klinkIcon } from './icon';
import { KlinkV1 } from './v1/KlinkV1.node';

/**
 * The Klink action node. Versioned from the start, like n8n's own nodes: a change that would alter what a
 * saved workflow does goes into a new version (v2/...), and workflows saved with version 1 keep version 1.
 */
export class Klink extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Klink',
			name: 'klink',
			icon: klinkIcon,
			group: ['output'],
			description:
				'Post messages into the klink.cloud inbox through a Custom Channel, as written by the customer or user you name as sender. Not for agent replies: the customer never receives these messages.',
			defaultVersion: 1,
			// A full URL is used by n8n as it is; from the codex n8n appends tracking parameters after the anchor.
			documentationUrl: 'https://www.npmjs.com/package/n8n-nodes-klink#klink-node',
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new KlinkV1(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
