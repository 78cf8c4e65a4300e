import type {
	DataTable,
	DataTableColumn,
	DataTableColumnJsType,
	DataTableFilter,
	DataTableProxyProvider,
	DataTableRow,
	DataTableRowReturn,
	IDataTableProjectAggregateService,
	IDataTableProjectService,
} from 'n8n-workflow';

type StoredRow = DataTableRowReturn;

interface StoredTable {
	table: DataTable;
	rows: StoredRow[];
}

const PROJECT_ID = 'engine-project';

function unsupported(what: string): never {
	throw new Error(`the in-process data table stand-in does not implement ${what}`);
}

function matches(row: StoredRow, filter: DataTableFilter | undefined): boolean {
	if (!filter || filter.filters.length === 0) return true;
	const results = filter.filters.map(({ columnName, condition, value }) => {
		const cell = row[columnName] as DataTableColumnJsType | undefined;
		switch (condition) {
			case 'eq':
				return (cell ?? null) === value;
			case 'neq':
				return (cell ?? null) !== value;
			case 'isEmpty':
				return cell === null || cell === undefined || cell === '';
			case 'isNotEmpty':
				return !(cell === null || cell === undefined || cell === '');
			default:
				return unsupported(`the "${condition}" condition`);
		}
	});
	return filter.type === 'and' ? results.every(Boolean) : results.some(Boolean);
}

/**
 * n8n's data tables kept in this process, for the engine tests: n8n-nodes-base's Data Table node runs as it
 * is, on n8n-core's node contexts, which reach the store through `additionalData['data-table']` exactly as in
 * n8n. In n8n that provider is the CLI's data-table module (SQL tables through n8n's database layer), which
 * cannot run here without n8n's database; this stand-in keeps rows in memory instead. Every call changes the
 * rows in one step, as one SQL statement (or transaction) does, so two runs never undo each other's rows.
 * The row operations the examples use are here (get, insert, upsert, update, delete by eq / neq / empty);
 * others throw.
 */
export class DataTableStandIn {
	private readonly tables = new Map<string, StoredTable>();
	private nextTableId = 1;
	private nextRowId = 1;

	/** A table with these string columns, as a user creates it in the editor's Data tables tab. */
	createTable(name: string, columns: string[], id = `engine-table-${this.nextTableId++}`): DataTable {
		const now = new Date();
		const table: DataTable = {
			id,
			name,
			projectId: PROJECT_ID,
			createdAt: now,
			updatedAt: now,
			columns: columns.map((column, index): DataTableColumn => ({ id: `${id}-column-${index}`, name: column, type: 'string', index, dataTableId: id })),
		};
		this.tables.set(id, { table, rows: [] });
		return table;
	}

	/** The rows of the table with this name (copies). */
	rows(name: string): DataTableRow[] {
		const stored = [...this.tables.values()].find(({ table }) => table.name === name);
		if (!stored) throw new Error(`no data table "${name}"`);
		return stored.rows.map((row) => ({ ...row }));
	}

	/** What n8n-core hands to nodes as `additionalData['data-table']`. */
	get provider(): { dataTableProxyProvider: DataTableProxyProvider } {
		return {
			dataTableProxyProvider: {
				getDataTableAggregateProxy: async () => this.aggregate(),
				getDataTableProxy: async (_workflow, _node, dataTableId) => this.proxy(dataTableId),
			},
		};
	}

	private aggregate(): IDataTableProjectAggregateService {
		return {
			getProjectId: () => PROJECT_ID,
			getManyAndCount: async ({ filter }) => {
				const names = filter?.name === undefined ? undefined : ([] as string[]).concat(filter.name).map((name) => name.toLowerCase());
				const data = [...this.tables.values()].map(({ table }) => table).filter((table) => !names || names.includes(table.name.toLowerCase()));
				return { count: data.length, data };
			},
			createDataTable: async () => unsupported('creating tables from a workflow'),
			deleteDataTableAll: async () => unsupported('deleting tables'),
		};
	}

	private proxy(dataTableId: string): IDataTableProjectService {
		const stored = this.tables.get(dataTableId);
		if (!stored) throw new Error(`no data table with ID ${dataTableId}`);
		const columnNames = new Set(stored.table.columns.map((column) => column.name));
		const checked = (data: DataTableRow) => {
			for (const key of Object.keys(data)) if (!columnNames.has(key)) throw new Error(`unknown column "${key}"`);
			return data;
		};
		const insert = (data: DataTableRow): StoredRow => {
			const now = new Date();
			const row: StoredRow = { ...Object.fromEntries([...columnNames].map((name) => [name, null])), ...checked(data), id: this.nextRowId++, createdAt: now, updatedAt: now };
			stored.rows.push(row);
			return { ...row };
		};
		const update = (filter: DataTableFilter, data: DataTableRow): StoredRow[] =>
			stored.rows.filter((row) => matches(row, filter)).map((row) => ({ ...Object.assign(row, checked(data), { updatedAt: new Date() }) }));
		const noDryRun = (dryRun?: boolean) => {
			if (dryRun) unsupported('dry runs');
		};
		return {
			getColumns: async () => stored.table.columns,
			getManyRowsAndCount: async ({ filter, skip = 0, take }) => {
				const found = stored.rows.filter((row) => matches(row, filter));
				const page = found.slice(skip, take === undefined ? undefined : skip + take);
				return { count: found.length, data: page.map((row) => ({ ...row })) };
			},
			insertRows: (async (rows: DataTableRow[], returnType: string) => {
				const inserted = rows.map(insert);
				if (returnType === 'all') return inserted;
				if (returnType === 'id') return inserted.map(({ id }) => ({ id }));
				return { success: true, insertedRows: inserted.length };
			}) as IDataTableProjectService['insertRows'],
			updateRows: async ({ filter, data, dryRun }) => {
				noDryRun(dryRun);
				return update(filter, data);
			},
			upsertRow: async ({ filter, data, dryRun }) => {
				noDryRun(dryRun);
				const updated = update(filter, data);
				return updated.length > 0 ? updated : [insert(data)];
			},
			deleteRows: async ({ filter, dryRun }) => {
				noDryRun(dryRun);
				const deleted = stored.rows.filter((row) => matches(row, filter));
				stored.rows = stored.rows.filter((row) => !deleted.includes(row));
				return deleted.map((row) => ({ ...row }));
			},
			clearRows: async () => {
				const deletedCount = stored.rows.length;
				stored.rows = [];
				return { deletedCount };
			},
			updateDataTable: async () => unsupported('renaming tables'),
			deleteDataTable: async () => unsupported('deleting tables'),
			addColumn: async () => unsupported('adding columns'),
			moveColumn: async () => unsupported('moving columns'),
			deleteColumn: async () => unsupported('deleting columns'),
		};
	}
}
