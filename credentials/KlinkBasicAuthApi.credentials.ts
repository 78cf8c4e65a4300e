import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

export class KlinkBasicAuthApi implements ICredentialType {
	name = 'klinkBasicAuthApi';

	displayName = 'Klink Basic Auth API';

	icon: Icon = { light: 'file:../icons/klink.svg', dark: 'file:../icons/klink.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-klink#header-or-basic-authentication';

	properties: INodeProperties[] = [
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			required: true,
			default: '',
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
		},
	];
}
