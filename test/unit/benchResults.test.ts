import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { markdownCell, markdownTable, parseRecorded, ratioRow, recordTable, renderResultsMarkdown, type ResultTable, type RunInfo } from '../../bench/results';

/** The page `npm run bench` writes to docs/results/benchmarks.md, rendered from recorded tables without running a benchmark. */
const run: RunInfo = {
	date: '2026-12-04T10:00Z',
	machine: 'Test CPU, 2 cores, 7.8 GB memory, Linux 6.1',
	node: 'v20.19.0',
	n8n: ['1.123.50', '2.40.7'],
	load: '1.2',
	failed: [],
};

describe('benchmark results page', () => {
	it('writes date, machine and n8n versions, then one section per benchmark with its tables in recorded order', () => {
		const tables: ResultTable[] = [
			{ section: 'Trigger latency: n8n 1.123.50, defaults', caption: 'one at a time', columns: ['Target', 'median', 'p99'], rows: [['Klink Trigger', '8.70 ms', '18.60 ms']] },
			{ section: 'Signature verification alone', columns: ['Body', 'ratio'], rows: [['2 KB', '1.15x']] },
			{ section: 'Trigger latency: n8n 1.123.50, defaults', columns: ['Ratio', 'value', 'target', ''], rows: [ratioRow('Klink / bare', 1.06, 1.15)], notes: ['cost per event: 11 ms'] },
		];
		expect(renderResultsMarkdown(run, tables)).toBe(
			[
				'# Benchmark results',
				'',
				'Written by `npm run bench` at the end of every run, replacing the previous run; not edited by hand. What',
				'each benchmark measures and how to read it: [benchmarks.md](../benchmarks.md).',
				'',
				'- Date: 2026-12-04T10:00Z',
				'- Machine: Test CPU, 2 cores, 7.8 GB memory, Linux 6.1',
				'- Load average (1 min) at the end: 1.2',
				'- Node: v20.19.0',
				'- n8n: 1.123.50, 2.40.7',
				'',
				'## Trigger latency: n8n 1.123.50, defaults',
				'',
				'one at a time',
				'',
				'| Target | median | p99 |',
				'|---|---|---|',
				'| Klink Trigger | 8.70 ms | 18.60 ms |',
				'',
				'| Ratio | value | target |  |',
				'|---|---|---|---|',
				'| Klink / bare | 1.06x | ≤ 1.15x | met |',
				'',
				'- cost per event: 11 ms',
				'',
				'## Signature verification alone',
				'',
				'| Body | ratio |',
				'|---|---|',
				'| 2 KB | 1.15x |',
				'',
			].join('\n'),
		);
	});

	it('names failed benchmarks and says when nothing was recorded', () => {
		const page = renderResultsMarkdown({ ...run, failed: ['queueLoad 2', 'triggerLoad 2 pool4'], load: undefined }, []);
		expect(page).toContain('**Incomplete run**: `queueLoad 2`, `triggerLoad 2 pool4` failed');
		expect(page).toContain('No benchmark recorded a result in this run.');
		expect(page).not.toContain('Load average');
	});

	it('escapes pipes and folds line breaks so that a cell never breaks the table', () => {
		expect(markdownCell('a | b\nc')).toBe('a \\| b c');
		expect(markdownTable(['x', 'y'], [['1']])).toEqual(['| x | y |', '|---|---|', '| 1 |  |']);
		expect(() => markdownTable(['x'], [['1', '2']])).toThrow('row has 2 cells');
	});

	it('rates ratios against their target', () => {
		expect(ratioRow('a', 1.234, 1.2)).toEqual(['a', '1.23x', '≤ 1.2x', 'not met']);
		expect(ratioRow('b', 0.5)).toEqual(['b', '0.50x', '', '']);
		expect(ratioRow('c', NaN, 1)).toEqual(['c', 'n/a', '≤ 1x', 'not met']);
	});

	it('reads back what the benchmark programs recorded, one table a line', () => {
		const dir = mkdtempSync(join(tmpdir(), 'klink-bench-results-'));
		try {
			const file = join(dir, 'recorded.jsonl');
			const table: ResultTable = { section: 's', columns: ['a'], rows: [['1']] };
			recordTable(table, file);
			recordTable({ ...table, section: 't' }, file);
			recordTable(table, undefined);
			expect(parseRecorded(readFileSync(file, 'utf8'))).toEqual([table, { ...table, section: 't' }]);
			expect(() => parseRecorded('{"section":"s"}\n')).toThrow('results line 1 is not a table');
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
