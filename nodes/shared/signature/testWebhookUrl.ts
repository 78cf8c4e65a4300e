/**
 * n8n 1.x gives a node only its Production URL, also on a test request, and has no method for the URL it
 * served. Its Test URL is built from the same base (WEBHOOK_URL) and differs in one path segment: the
 * endpoint name (N8N_ENDPOINT_WEBHOOK, `webhook`, against N8N_ENDPOINT_WEBHOOK_TEST, `webhook-test`),
 * which n8n itself matched to route the request. So the Test URL is the Production URL with its endpoint
 * segment replaced by the segment the request path has in front of the same webhook path. Only the path
 * of the request is used: its host may be anything a proxy wrote.
 * Returns undefined when the two paths do not share the webhook path.
 */
export function testUrlFromProductionUrl(productionUrl: string, requestPath: string): string | undefined {
	let production: URL;
	try {
		production = new URL(productionUrl.split('?')[0]);
	} catch {
		return undefined;
	}
	const requestPathOnly = requestPath.split('?')[0].replace(/\/+$/, '');
	if (requestPathOnly === production.pathname) return production.toString();
	const productionSegments = production.pathname.split('/');
	const requestSegments = requestPathOnly.split('/');
	let shared = 0;
	while (
		shared < productionSegments.length - 1 &&
		shared < requestSegments.length - 1 &&
		productionSegments[productionSegments.length - 1 - shared] === requestSegments[requestSegments.length - 1 - shared] &&
		productionSegments[productionSegments.length - 1 - shared] !== ''
	) {
		shared++;
	}
	const endpointIndex = productionSegments.length - 1 - shared;
	const requestEndpoint = requestSegments[requestSegments.length - 1 - shared];
	// At least the node's own path (<webhook id>/klink) must match, and both need an endpoint segment.
	if (shared < 2 || endpointIndex < 1 || !requestEndpoint) return undefined;
	productionSegments[endpointIndex] = requestEndpoint;
	production.pathname = productionSegments.join('/');
	return production.toString();
}
