export interface SignedUrlSources {
	/** The node's Production URL, built by n8n from its public webhook base (WEBHOOK_URL / N8N_WEBHOOK_URL). */
	productionUrl: string;
	/** On a test request only: the Test URL n8n served it on. */
	testUrl?: string;
	rawQuery: string;
	/** Options → Signed URL: replaces the Production URL and its variants. */
	override?: string;
}

/**
 * The URL klink signs is the one the user pasted into klink: the node's Production URL (or, while testing,
 * its Test URL), which n8n builds from its own settings, not from the Host header a proxy may rewrite.
 * klink's documents do not say whether the query string is part of it, so each URL is tried without the
 * query first (the query is signed separately, normalized), then with the raw query, then as a bare path,
 * for senders that sign the request line. A user-set override replaces the production variants.
 * Users often paste the Production URL before testing, so a test request accepts both.
 */
export function signedUrlCandidates(sources: SignedUrlSources): string[] {
	const override = sources.override?.trim();
	const production = override ? [override] : urlVariants(sources.productionUrl, sources.rawQuery);
	const test = sources.testUrl ? urlVariants(sources.testUrl, sources.rawQuery) : [];
	return [...new Set([...test, ...production])];
}

function urlVariants(url: string, rawQuery: string): string[] {
	const base = url.split('?')[0];
	const variants = [base];
	if (rawQuery !== '') variants.push(`${base}?${rawQuery}`);
	let path: string | undefined;
	try {
		path = new URL(base).pathname;
	} catch {
		path = undefined;
	}
	if (path) {
		variants.push(path);
		if (rawQuery !== '') variants.push(`${path}?${rawQuery}`);
	}
	return variants;
}
