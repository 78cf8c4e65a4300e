/**
 * The last step of `npm run bench`: renders the tables the benchmark programs recorded in this run into a
 * markdown page (docs/results/benchmarks.md by default), with the date, the machine and the n8n versions.
 *
 *   node build-tools/bench/writeResults.js <recorded.jsonl> <out.md> [failed benchmark names, comma-separated]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { cpus, loadavg, release, totalmem, type } from 'os';
import { dirname } from 'path';

import { n8nVersion, type N8nMajor } from '../test/e2e/harness/versions';
import { parseRecorded, renderResultsMarkdown } from './results';

function machine(): string {
	const cores = cpus();
	const model = cores[0]?.model.trim() ?? 'unknown CPU';
	return `${model}, ${cores.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GB memory, ${type()} ${release()}`;
}

function main(): void {
	const [recordedFile, outFile, failedList = ''] = process.argv.slice(2);
	if (!recordedFile || !outFile) throw new Error('usage: writeResults <recorded.jsonl> <out.md> [failed,...]');
	const tables = existsSync(recordedFile) ? parseRecorded(readFileSync(recordedFile, 'utf8')) : [];
	const majors = (process.env.BENCH_MAJORS ?? '1 2').split(/\s+/).filter(Boolean).map((m) => (Number(m) === 2 ? 2 : 1) as N8nMajor);
	const markdown = renderResultsMarkdown(
		{
			date: new Date().toISOString().replace(/:\d\d\.\d+Z$/, 'Z'),
			machine: machine(),
			node: process.version,
			n8n: majors.map((major) => n8nVersion(major)),
			load: loadavg()[0].toFixed(1),
			failed: failedList.split(',').filter(Boolean),
		},
		tables,
	);
	mkdirSync(dirname(outFile), { recursive: true });
	writeFileSync(outFile, markdown);
	console.log(`results written to ${outFile} (${tables.length} tables)`);
}

main();
