// Sums the jest JSON results of one test run into "total: N passed, N failed", after a time table: the seconds
// of each step the scripts timed (steps.tsv) and of each test file of each jest run. Every expected suite counts:
// one whose result file is missing or unreadable (its global setup failed, it never started) counts as one
// failure under its own name, and so does a failed step that is not a jest run (lint, typecheck, installs).
// Exits 1 when anything failed, so the caller cannot end green on a run that did not happen.
const fs = require('fs');
const path = require('path');

const [dir, expectedList = '', failedStepList = ''] = process.argv.slice(2);
const expected = expectedList.split(/\s+/).filter(Boolean);
const failedSteps = failedStepList.split(',').filter(Boolean);
/** "name<TAB>seconds<TAB>ok|FAILED" lines of the scripts' `timed` steps, in the order they ended. */
function stepTimes() {
	try {
		return fs
			.readFileSync(path.join(dir, 'steps.tsv'), 'utf8')
			.split('\n')
			.filter(Boolean)
			.map((line) => line.split('\t'))
			.map(([name, seconds, outcome]) => ({ name, seconds: Number(seconds), outcome }));
	} catch {
		return [];
	}
}

/** Each test file of a jest result with its seconds, in the order jest ran them. */
function fileTimes(name, result) {
	return (result.testResults || [])
		.filter((file) => typeof file.startTime === 'number' && typeof file.endTime === 'number')
		.sort((a, b) => a.startTime - b.startTime)
		.map((file) => ({ name: `${name} › ${path.basename(file.name)}`, seconds: Math.round((file.endTime - file.startTime) / 1000), outcome: file.status === 'passed' ? 'ok' : 'FAILED' }));
}

function printTimeTable(rows) {
	if (rows.length === 0) return;
	const width = Math.max(...rows.map((row) => row.name.length));
	console.log('time table (seconds):');
	for (const row of rows) console.log(`  ${row.name.padEnd(width)} ${String(row.seconds).padStart(5)}${row.outcome === 'ok' ? '' : `  ${row.outcome}`}`);
}

const results = new Map();
for (const name of expected) {
	try {
		results.set(name, JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')));
	} catch {
		// counted below as a suite that did not run
	}
}
// The unit run's many small files are one step; each file of the suites in a real n8n is a line of its own.
printTimeTable([...stepTimes(), ...[...results].filter(([name]) => name !== 'unit').flatMap(([name, result]) => fileTimes(name, result))]);

let passed = 0;
let failed = 0;
let skipped = 0;

for (const name of expected) {
	const result = results.get(name);
	if (!result) {
		failed += 1;
		console.log(`${name}: did not run (no result file): counted as 1 failed`);
		continue;
	}
	const broken = (result.numRuntimeErrorTestSuites || 0) + (result.numFailedTestSuites || 0);
	const suiteFailures = result.numTotalTests === 0 ? 1 : 0;
	passed += result.numPassedTests;
	skipped += result.numPendingTests + (result.numTodoTests || 0);
	failed += result.numFailedTests + (result.numFailedTests === 0 ? broken : 0) + suiteFailures;
	let line = `${name}: ${result.numPassedTests} passed, ${result.numFailedTests} failed`;
	if (result.numPendingTests) line += `, ${result.numPendingTests} skipped`;
	if (broken && result.numFailedTests === 0) line += ` (${broken} test file(s) failed to run)`;
	if (suiteFailures) line += ' (ran no test: counted as 1 failed)';
	console.log(line);
}
for (const step of failedSteps) {
	failed += 1;
	console.log(`step "${step}": failed: counted as 1 failed`);
}
console.log(`total: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 ? 0 : 1);
