import { spawnSync } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/**
 * Signs a request with the real Go program in test/go/cmd/sign (built by scripts/e2e.sh into
 * KLINK_GO_SIGNER), so the end-to-end tests check the node against Go's own normalization.
 */
export function signWithGo(request: { secret: string; method?: string; url: string; query?: string; body: Buffer | string }): string {
	const signer = process.env.KLINK_GO_SIGNER;
	if (!signer) throw new Error('KLINK_GO_SIGNER is not set: run the e2e suite through `npm test`');
	const bodyFile = join(mkdtempSync(join(tmpdir(), 'klink-body-')), 'body');
	writeFileSync(bodyFile, request.body);
	const args = ['-secret', request.secret, '-method', request.method ?? 'POST', '-url', request.url, '-query', request.query ?? '', '-body-file', bodyFile];
	const result = spawnSync(signer, args, { encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`go signer failed: ${result.stderr}`);
	return result.stdout.trim();
}

/** Signs many requests with one run of the Go signer (its -batch mode): thousands per second. */
export function signBatchWithGo(requests: Array<{ secret: string; url: string; body: string }>): string[] {
	const signer = process.env.KLINK_GO_SIGNER;
	if (!signer) throw new Error('KLINK_GO_SIGNER is not set: run the e2e suite through `npm test`');
	const batchFile = join(mkdtempSync(join(tmpdir(), 'klink-batch-')), 'batch.json');
	writeFileSync(
		batchFile,
		JSON.stringify(requests.map((r) => ({ secret: r.secret, method: 'POST', url: r.url, query: '', body: Buffer.from(r.body).toString('base64') }))),
	);
	const result = spawnSync(signer, ['-batch', batchFile], { encoding: 'utf8', maxBuffer: 1 << 28 });
	if (result.status !== 0) throw new Error(`go signer failed: ${result.stderr}`);
	const signed = JSON.parse(result.stdout) as Array<{ signature?: string; error?: string }>;
	return signed.map((entry, i) => {
		if (!entry.signature) throw new Error(`go signer refused request ${i}: ${entry.error}`);
		return entry.signature;
	});
}
