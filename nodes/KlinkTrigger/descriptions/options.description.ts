import type { INodeProperties } from 'n8n-workflow';

/**
 * Answer klink.cloud when the option was never set, in every version: once n8n has stored the execution. Version
 * 1 answered at once until n8n 2.x showed that loses answered events under load and in queue mode (CHANGELOG).
 */
export const DEFAULT_ANSWER_WHEN = 'stored';

const answerWhenOption: INodeProperties = {
	displayName: 'Answer klink.cloud',
	name: 'answerWhen',
	type: 'options',
	options: [
		{
			name: 'Immediately',
			value: 'immediately',
			description:
				'As soon as the event is verified, before n8n stores the execution: faster, but an event is lost if n8n then fails to store it, which happens on n8n 2.x under load and in queue mode. Not for queue mode.',
		},
		{
			name: 'When the Execution Is Stored',
			value: 'stored',
			description:
				'As n8n 2.x answers its own Webhook node: after n8n has stored (and in queue mode queued) the execution, with a 500 if that failed so that klink.cloud retries. n8n 1.x answers before storing either way.',
		},
	],
	default: DEFAULT_ANSWER_WHEN,
	description: 'When an accepted event is answered 200, which is when klink.cloud stops retrying it',
};

export const optionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		answerWhenOption,
		{
			displayName: 'Deduplicate Retries',
			name: 'deduplicate',
			type: 'boolean',
			default: true,
			description:
				'Whether a delivery klink.cloud retries (same event, same message or contact) is answered 200 without starting the workflow again',
		},
		{
			displayName: 'Deduplication Window (Minutes)',
			name: 'dedupeWindowMinutes',
			type: 'number',
			typeOptions: { minValue: 5 },
			default: 15,
			description:
				'How long a seen event is remembered; klink.cloud retries for about four minutes, so keep it above 5',
		},
		{
			displayName: 'Include Raw Body and Headers',
			name: 'includeRaw',
			type: 'boolean',
			default: false,
			description:
				'Whether to add the whole klink.cloud body and the request headers (credentials removed) to the item, beside the simplified fields',
		},
		{
			displayName: 'IP Allowlist',
			name: 'ipAllowlist',
			type: 'string',
			default: '',
			placeholder: 'e.g. 51.79.216.180',
			description:
				"Comma-separated IP addresses or CIDR ranges allowed to call this webhook; others get 403 and start nothing. klink.cloud sends from 51.79.216.180. Leave empty to allow all. Behind a reverse proxy, set n8n's N8N_PROXY_HOPS so that n8n sees the client address.",
		},
		{
			displayName: 'Signed URL',
			name: 'signedUrl',
			type: 'string',
			default: '',
			placeholder: 'https://n8n.example.com/webhook/…/klink',
			description:
				'The URL klink.cloud signs, when a proxy changes it on the way (by default the Production URL of this node, with or without its query, and its bare path, are all accepted; a test request also accepts the Test URL)',
			displayOptions: { show: { '/authentication': ['klinkSignature'] } },
		},
	],
};
