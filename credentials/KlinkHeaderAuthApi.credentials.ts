import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

export class KlinkHeaderAuthApi implements ICredentialType {
	name = 'klinkHeaderAuthApi';

	displayName = 'Klink Header Auth API';

	icon: Icon = { light: 'file:../icons/klink.svg', dark: 'file:../icons/klink.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-klink#header-or-basic-authentication';

	properties: INodeProperties[] = [
		{
			displayName:
				'The header klink.cloud sends: the Custom Header of a Developer Tools app, or the header of a Custom Channel outbound webhook (for example Authorization with the value Bearer YOUR_API_KEY)',
			name: 'notice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Header Name',
			name: 'name',
			type: 'string',
			required: true,
			default: 'Authorization',
			placeholder: 'Authorization',
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- the header value is the shared secret klink sends
		{
			displayName: 'Header Value',
			name: 'value',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			placeholder: 'Bearer YOUR_API_KEY',
		},
	];
}
