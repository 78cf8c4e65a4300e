import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

// The Klink node tests this credential (testedBy: 'klinkCustomChannelApiTest' in nodes/Klink/v1), checking the
// URL locally; a `test` request here would POST into a real inbox. The lint rule only looks for `testedBy` in
// the node file registered in package.json, which for a versioned node is the version-less Klink.node.ts.
// eslint-disable-next-line @n8n/community-nodes/credential-test-required -- tested by the Klink node's credentialTest (see above)
export class KlinkCustomChannelApi implements ICredentialType {
	name = 'klinkCustomChannelApi';

	displayName = 'Klink Custom Channel API';

	icon: Icon = { light: 'file:../icons/klink.svg', dark: 'file:../icons/klink.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-klink#klink-node';

	properties: INodeProperties[] = [
		{
			displayName:
				'In klink.cloud open Settings → Message Integration → Custom Channel and copy the Inbound Webhook URL. Keep it private: anyone who has it can post messages into your inbox.',
			name: 'notice',
			type: 'notice',
			default: '',
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- the URL itself is the secret: whoever holds it can post into the inbox
		{
			displayName: 'Inbound Webhook URL',
			name: 'inboundUrl',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			placeholder: 'https://me.klink.cloud/custom-channel/.../.../webhook',
			description: 'The Inbound Webhook URL of your klink.cloud Custom Channel; the Klink node posts messages to it',
		},
		{
			displayName:
				'Testing this credential only checks the URL on this machine (https, host, path); nothing is sent to klink.cloud, because klink.cloud has no way to test the URL without posting a message into your inbox.',
			name: 'testNotice',
			type: 'notice',
			default: '',
		},
	];
}
