import { KLINK_SENDING_ADDRESS } from '../net/ipAllowlist';

/** Why a request started nothing, in the trigger's terms. */
export type RefusalKind =
	| 'ipNotAllowed'
	| 'signature'
	| 'signatureMissing'
	| 'headerAuth'
	| 'basicAuth'
	| 'notJson'
	| 'filtered';

/**
 * What the trigger outputs on a test request ("Listen for test event" / "Execute step") that production
 * would refuse or filter out: the editor then shows the reason instead of listening on as if nothing had
 * arrived. Never holds a secret or the body; `statusCode` is what the sender was answered.
 */
export interface TestRequestReport {
	outcome: 'rejected' | 'filtered out';
	statusCode: number;
	reason: string;
	/** The trigger parameter that stopped a filtered event. */
	filter?: string;
	fix: string;
	note: string;
	/** Set when klink.cloud cannot reach the URL this n8n gives out. */
	warning?: string;
}

const FIXES: Record<Exclude<RefusalKind, 'filtered'>, string> = {
	ipNotAllowed:
		`Add the sender's address to Options → IP Allowlist (klink.cloud sends from ${KLINK_SENDING_ADDRESS}) or clear the list. ` +
		'Behind a reverse proxy, set N8N_PROXY_HOPS so that n8n sees the client address instead of the proxy.',
	signature:
		"Copy the current Signature secret from klink.cloud (Developer Tools → your app → Manage) into the Klink Signature API credential, and give klink.cloud this node's Test URL or Production URL exactly as n8n shows it.",
	signatureMissing:
		'klink.cloud sends x-signature only with its "Default by K-LINK" authentication. Choose it in klink.cloud, or set Authentication here to the option klink.cloud uses.',
	headerAuth: 'Enter the same header name and value in klink.cloud and in the Klink Header Auth API credential.',
	basicAuth: 'Enter the same user and password in klink.cloud and in the Klink Basic Auth API credential.',
	notJson: 'klink.cloud sends one JSON object per request; send the event body exactly as klink.cloud documents it.',
};

export function testRequestReport(input: {
	kind: RefusalKind;
	statusCode: number;
	reason: string;
	filter?: string;
	warning?: string;
}): TestRequestReport {
	const filtered = input.kind === 'filtered';
	const report: TestRequestReport = {
		outcome: filtered ? 'filtered out' : 'rejected',
		statusCode: input.statusCode,
		reason: input.reason,
		fix: filtered ? `Change the ${input.filter ?? 'filter'} setting of this trigger to let such events through.` : FIXES[input.kind as Exclude<RefusalKind, 'filtered'>],
		note: filtered
			? 'In production this event is answered 200 and starts nothing. This item appears only in test runs.'
			: `The sender was answered ${input.statusCode}. In production such a request starts nothing; this item appears only in test runs.`,
	};
	if (input.filter) report.filter = input.filter;
	if (input.warning) report.warning = input.warning;
	return report;
}
