import { spawnSync } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/** The closing summary of `npm test`: a suite that never ran must not end the run on "0 failed". */
const script = join(__dirname, '..', '..', 'scripts', 'summarize-results.js');

function jestResult(passed: number, failed: number, extra: Record<string, number> = {}) {
	return JSON.stringify({
		numPassedTests: passed,
		numFailedTests: failed,
		numPendingTests: 0,
		numTotalTests: passed + failed,
		numFailedTestSuites: failed ? 1 : 0,
		numRuntimeErrorTestSuites: 0,
		...extra,
	});
}

function summarize(files: Record<string, string>, expected: string[], failedSteps: string[] = []) {
	const dir = mkdtempSync(join(tmpdir(), 'klink-summary-'));
	for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, `${name}.json`), content);
	const run = spawnSync('node', [script, dir, expected.join(' '), failedSteps.join(',')], { encoding: 'utf8' });
	return { status: run.status, lines: run.stdout.trim().split('\n') };
}

describe('scripts/summarize-results.js', () => {
	it('sums every expected suite and exits 0 when all passed', () => {
		const { status, lines } = summarize({ unit: jestResult(10, 0), 'e2e-n8n1': jestResult(5, 0) }, ['unit', 'e2e-n8n1']);
		expect(lines).toEqual(['unit: 10 passed, 0 failed', 'e2e-n8n1: 5 passed, 0 failed', 'total: 15 passed, 0 failed']);
		expect(status).toBe(0);
	});

	it('counts a suite that wrote no result as one failure, by name, and exits 1', () => {
		const { status, lines } = summarize({ unit: jestResult(10, 0) }, ['unit', 'e2e-n8n2']);
		expect(lines).toContain('e2e-n8n2: did not run (no result file): counted as 1 failed');
		expect(lines[lines.length - 1]).toBe('total: 10 passed, 1 failed');
		expect(status).toBe(1);
	});

	it('counts a test file that crashed, a run of no tests, failed steps and skipped tests', () => {
		const { status, lines } = summarize(
			{
				unit: jestResult(3, 0, { numRuntimeErrorTestSuites: 1 }),
				dev: jestResult(0, 0),
				e2e: jestResult(4, 1, { numPendingTests: 2 }),
			},
			['unit', 'dev', 'e2e'],
			['lint', 'n8n install'],
		);
		expect(lines).toEqual([
			'unit: 3 passed, 0 failed (1 test file(s) failed to run)',
			'dev: 0 passed, 0 failed (ran no test: counted as 1 failed)',
			'e2e: 4 passed, 1 failed, 2 skipped',
			'step "lint": failed: counted as 1 failed',
			'step "n8n install": failed: counted as 1 failed',
			'total: 7 passed, 5 failed, 2 skipped',
		]);
		expect(status).toBe(1);
	});
});
