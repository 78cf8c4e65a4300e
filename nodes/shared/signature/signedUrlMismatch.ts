/**
 * The commonest reason a signed webhook fails behind a reverse proxy: klink signed the public URL it
 * calls, while n8n's Production URL (from its own settings) names another host, port or scheme.
 * Called only when the signature does match the URL the request arrived on; the request is still refused.
 */
export function describeSignedUrlMismatch(arrivedUrl: string, expectedUrl: string): string {
	return (
		`signature does not match ${expectedUrl}, but matches ${arrivedUrl}, the URL the request arrived on: ` +
		`klink signed ${arrivedUrl}. A proxy in front of n8n changes the URL. Set Options → Signed URL to ${arrivedUrl}, ` +
		'or set n8n\'s public webhook URL (WEBHOOK_URL on n8n 1.x, N8N_WEBHOOK_URL on 2.x) to the address klink calls'
	);
}
