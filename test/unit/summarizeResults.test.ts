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

function summarize(files: Record<string, string>, expected: string[], failedSteps: string[] = [], steps?: string) {
	const dir = mkdtempSync(join(tmpdir(), 'klink-summary-'));
	for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, `${name}.json`), content);
	if (steps !== undefined) writeFileSync(join(dir, 'steps.tsv'), steps);
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

	it('prints a time table before the counts: each timed step, then each test file of the runs in a real n8n', () => {
		const file = (name: string, startTime: number, endTime: number, status = 'passed') => ({ name: `/repo/test/e2e/${name}`, startTime, endTime, status });
		const e2e = JSON.parse(jestResult(3, 1)) as Record<string, unknown>;
		e2e.testResults = [file('volume.e2e.test.ts', 70_000, 190_400, 'failed'), file('trigger.e2e.test.ts', 1_000, 61_000)];
		const unit = JSON.parse(jestResult(2, 0)) as Record<string, unknown>;
		unit.testResults = [file('x.test.ts', 0, 1000)];
		const { lines } = summarize({ unit: JSON.stringify(unit), 'e2e-n8n2': JSON.stringify(e2e) }, ['unit', 'e2e-n8n2'], [], 'npm ci\t78\tok\ninstall n8n 2.x\t301\tFAILED\n');
		expect(lines).toEqual([
			'time table (seconds):',
			'  npm ci                            78',
			'  install n8n 2.x                  301  FAILED',
			'  e2e-n8n2 › trigger.e2e.test.ts    60',
			'  e2e-n8n2 › volume.e2e.test.ts    120  FAILED',
			'unit: 2 passed, 0 failed',
			'e2e-n8n2: 3 passed, 1 failed',
			'total: 5 passed, 1 failed',
		]);
	});
});
