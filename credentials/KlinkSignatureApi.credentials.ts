import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

export class KlinkSignatureApi implements ICredentialType {
	name = 'klinkSignatureApi';

	displayName = 'Klink Signature API';

	icon: Icon = { light: 'file:../icons/klink.svg', dark: 'file:../icons/klink.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-klink#set-up-klink';

	properties: INodeProperties[] = [
		{
			displayName:
				'In klink.cloud open Settings → Developer Tools → your app → Manage, and copy the Signature secret from the Webhook Signature section',
			name: 'notice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Signature Secret',
			name: 'signatureSecret',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'The signature secret klink.cloud signs every webhook request with (HMAC-SHA256)',
		},
		{
			displayName: 'Previous Signature Secret',
			name: 'previousSignatureSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'While rolling out a regenerated secret, put the old one here so that requests klink still signs with it are accepted; clear it once klink uses the new one',
		},
	];
}
