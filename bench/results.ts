import { appendFileSync } from 'fs';

/**
 * Benchmark results as data: each benchmark program records the tables it prints (one JSON line each, in the
 * file `npm run bench` names in BENCH_RESULTS_FILE), and bench/writeResults.ts renders them into
 * docs/results/benchmarks.md at the end of the run. Rendering is a pure function, so its format is unit-tested
 * without running a benchmark.
 */
export interface ResultTable {
	/** The heading the table goes under; tables of one section are rendered together, in recorded order. */
	section: string;
	/** One line above the table (settings, sizes), optional. */
	caption?: string;
	columns: string[];
	rows: string[][];
	/** Lines below the table, one bullet each. */
	notes?: string[];
}

export interface RunInfo {
	/** ISO date and time of the run. */
	date: string;
	/** CPU model, cores, memory, OS. */
	machine: string;
	/** Node version that ran the benchmark programs. */
	node: string;
	/** n8n versions the run started, e.g. ["1.123.50", "2.40.7"]. */
	n8n: string[];
	/** Load average (1 min) when the results were written, so a reader can tell a busy machine. */
	load?: string;
	/** Benchmark programs that exited with an error; their tables are missing or partial. */
	failed: string[];
}

/** Appends a table to the run's results file; does nothing when the program runs outside `npm run bench`. */
export function recordTable(table: ResultTable, file = process.env.BENCH_RESULTS_FILE): void {
	if (!file) return;
	appendFileSync(file, `${JSON.stringify(table)}\n`);
}

/** The tables of a results file (one JSON object a line; blank lines ignored). */
export function parseRecorded(text: string): ResultTable[] {
	return text
		.split('\n')
		.filter((line) => line.trim() !== '')
		.map((line, index) => {
			const table = JSON.parse(line) as ResultTable;
			if (typeof table.section !== 'string' || !Array.isArray(table.columns) || !Array.isArray(table.rows)) {
				throw new Error(`results line ${index + 1} is not a table: ${line.slice(0, 80)}`);
			}
			return table;
		});
}

/** A table cell: pipes escaped, line breaks folded to spaces, outer whitespace trimmed. */
export function markdownCell(value: string): string {
	return String(value).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').trim();
}

/** One GitHub-flavoured markdown table; short rows are padded with empty cells, long ones are an error. */
export function markdownTable(columns: string[], rows: string[][]): string[] {
	if (columns.length === 0) throw new Error('a table needs at least one column');
	const line = (cells: string[]) => `| ${cells.map(markdownCell).join(' | ')} |`;
	const lines = [line(columns), `|${columns.map(() => '---').join('|')}|`];
	for (const row of rows) {
		if (row.length > columns.length) throw new Error(`row has ${row.length} cells, table has ${columns.length} columns: ${row.join(', ')}`);
		lines.push(line([...row, ...Array<string>(columns.length - row.length).fill('')]));
	}
	return lines;
}

/** A ratio row: label, value as "1.23x", the target, and whether it was met. */
export function ratioRow(label: string, value: number, target?: number): string[] {
	const verdict = target === undefined ? '' : value <= target ? 'met' : 'not met';
	return [label, Number.isFinite(value) ? `${value.toFixed(2)}x` : 'n/a', target === undefined ? '' : `≤ ${target}x`, verdict];
}

export const RATIO_COLUMNS = ['Ratio', 'value', 'target', ''];

/** The whole results page of one run. */
export function renderResultsMarkdown(run: RunInfo, tables: ResultTable[]): string {
	const out = [
		'# Benchmark results',
		'',
		'Written by `npm run bench` at the end of every run, replacing the previous run; not edited by hand. What',
		'each benchmark measures and how to read it: [benchmarks.md](../benchmarks.md).',
		'',
		`- Date: ${run.date}`,
		`- Machine: ${run.machine}`,
		...(run.load ? [`- Load average (1 min) at the end: ${run.load}`] : []),
		`- Node: ${run.node}`,
		`- n8n: ${run.n8n.length > 0 ? run.n8n.join(', ') : 'none started'}`,
	];
	if (run.failed.length > 0) {
		out.push('', `**Incomplete run**: ${run.failed.map((name) => `\`${name}\``).join(', ')} failed; see the run's output. Their tables are missing or partial.`);
	}
	if (tables.length === 0) out.push('', 'No benchmark recorded a result in this run.');
	const sections: string[] = [];
	for (const table of tables) if (!sections.includes(table.section)) sections.push(table.section);
	for (const section of sections) {
		out.push('', `## ${markdownCell(section)}`);
		for (const table of tables.filter((t) => t.section === section)) {
			out.push('');
			if (table.caption) out.push(markdownCell(table.caption), '');
			out.push(...markdownTable(table.columns, table.rows));
			if (table.notes && table.notes.length > 0) out.push('', ...table.notes.map((note) => `- ${note.replace(/\r?\n/g, ' ')}`));
		}
	}
	return `${out.join('\n')}\n`;
}
