import { readState } from './e2eState';
import type { ApiTarget } from './n8nApi';

/**
 * n8n's data tables through its REST API, signed in as the owner (the session cookie from the e2e state): what
 * a user does in the editor's Data tables tab. Both pinned lines serve `/rest/projects/:projectId/data-tables`;
 * a workflow's Data table node reaches the tables of the workflow's project, the owner's personal one here.
 */

interface Rest<T> {
	data: T;
}

async function rest<T>(target: ApiTarget, method: string, path: string, body?: unknown): Promise<T> {
	const { cookie } = readState();
	const send = () =>
		fetch(new URL(`/rest${path}`, target.baseUrl), {
			method,
			headers: { cookie, 'browser-id': 'klink-e2e', 'content-type': 'application/json', accept: 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
	// After a restart on the same port, a kept-alive connection to the old process fails at once: send again.
	const response = await send().catch((error: unknown) => {
		if ((error as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET') throw error;
		return send();
	});
	const text = await response.text();
	if (!response.ok) throw new Error(`${method} /rest${path} -> ${response.status}: ${text.slice(0, 300)}`);
	return (JSON.parse(text) as Rest<T>).data;
}

export interface DataTableRef {
	id: string;
	name: string;
	projectId: string;
}

/** Creates a data table with string columns in the owner's personal project. */
export async function createDataTable(target: ApiTarget, name: string, columns: string[]): Promise<DataTableRef> {
	const project = await rest<{ id: string }>(target, 'GET', '/projects/personal');
	const table = await rest<{ id: string; name: string }>(target, 'POST', `/projects/${project.id}/data-tables`, {
		name,
		columns: columns.map((column) => ({ name: column, type: 'string' })),
	});
	return { id: table.id, name: table.name, projectId: project.id };
}

/** Every row of the table (n8n pages them 50 at a time). */
export async function dataTableRows(target: ApiTarget, table: DataTableRef): Promise<Array<Record<string, unknown>>> {
	const rows: Array<Record<string, unknown>> = [];
	for (;;) {
		const page = await rest<{ count: number; data: Array<Record<string, unknown>> }>(
			target,
			'GET',
			`/projects/${table.projectId}/data-tables/${table.id}/rows?take=50&skip=${rows.length}`,
		);
		rows.push(...page.data);
		if (page.data.length === 0 || rows.length >= page.count) return rows;
	}
}

/** The value of the Data table node's table parameter that picks this table (as choosing it from the list does). */
export function dataTableParameter(table: DataTableRef) {
	return { __rl: true, mode: 'list', value: table.id, cachedResultName: table.name };
}
