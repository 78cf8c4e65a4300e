import type { INodeProperties } from 'n8n-workflow';

export const authenticationProperties: INodeProperties[] = [
	{
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		options: [
			{
				name: 'Basic Auth',
				value: 'basicAuth',
				description: 'For a Developer Tools app set to Basic Authentication',
			},
			{
				name: 'Header Auth',
				value: 'headerAuth',
				description:
					'For a Developer Tools app set to Custom Header, or a Custom Channel outbound webhook with an Authorization header',
			},
			{
				name: 'Klink Signature',
				value: 'klinkSignature',
				description: "Verify klink.cloud's x-signature (HMAC-SHA256), the default of Developer Tools apps",
			},
			{
				name: 'None',
				value: 'none',
				description: 'Accept every request to the URL',
			},
		],
		default: 'klinkSignature',
		description: 'How to prove that a request comes from klink.cloud; others get a 401 and start nothing',
	},
	{
		displayName:
			'Anyone who knows this URL can start the workflow with any data. Choose Klink Signature, Header Auth or Basic Auth unless something in front of n8n already checks the requests.',
		name: 'noAuthWarning',
		type: 'notice',
		default: '',
		displayOptions: { show: { authentication: ['none'] } },
	},
];
