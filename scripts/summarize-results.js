// Sums the jest JSON results of one test run into "total: N passed, N failed". Every expected suite counts:
// one whose result file is missing or unreadable (its global setup failed, it never started) counts as one
// failure under its own name, and so does a failed step that is not a jest run (lint, typecheck, installs).
// Exits 1 when anything failed, so the caller cannot end green on a run that did not happen.
const fs = require('fs');
const path = require('path');

const [dir, expectedList = '', failedStepList = ''] = process.argv.slice(2);
const expected = expectedList.split(/\s+/).filter(Boolean);
const failedSteps = failedStepList.split(',').filter(Boolean);
let passed = 0;
let failed = 0;
let skipped = 0;

for (const name of expected) {
	const file = path.join(dir, `${name}.json`);
	let result;
	try {
		result = JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch {
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
