/**
 * The URL klink signs is the one the user pasted into klink: the node's Production URL, which n8n builds
 * from its public webhook base (WEBHOOK_URL / N8N_WEBHOOK_URL), not from the Host header a proxy may
 * rewrite. klink's documents do not say whether the query string is part of it, so the URL is tried
 * without the query first (the query is signed separately, normalized), then with the raw query, then as
 * a bare path, for senders that sign the request line. A user-set override replaces all of them.
 */
export function signedUrlCandidates(productionUrl: string, rawQuery: string, override?: string): string[] {
	if (override && override.trim() !== '') return [override.trim()];
	const base = productionUrl.split('?')[0];
	const candidates = [base];
	if (rawQuery !== '') candidates.push(`${base}?${rawQuery}`);
	let path: string | undefined;
	try {
		path = new URL(base).pathname;
	} catch {
		path = undefined;
	}
	if (path) {
		candidates.push(path);
		if (rawQuery !== '') candidates.push(`${path}?${rawQuery}`);
	}
	return [...new Set(candidates)];
}
