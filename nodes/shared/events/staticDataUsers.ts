/** What n8n tells a node about another node of its workflow (its NodeTypeAndVersion, with parameters). */
export interface WorkflowNodeInfo {
	name: string;
	disabled?: boolean;
	parameters?: unknown;
}

/** How code reaches static data: `$getWorkflowStaticData` (Code, JavaScript), `_getWorkflowStaticData`
 * (Code, Python), `getWorkflowStaticData` (the old Function nodes), in code and in expressions alike. */
const STATIC_DATA_ACCESS = 'getWorkflowStaticData';
/** Parameters nest a few levels (collections, fixed collections); deeper is not a node's parameter. */
const MAX_DEPTH = 32;

function mentionsStaticData(value: unknown, depth: number): boolean {
	if (typeof value === 'string') return value.includes(STATIC_DATA_ACCESS);
	if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return false;
	return Object.values(value).some((child) => mentionsStaticData(child, depth + 1));
}

/**
 * The enabled nodes, `except` the asking one, whose code or expressions reach the workflow's static data. A
 * run that changes static data makes n8n write the whole of it back, over whatever another request wrote
 * meanwhile, so a node that writes static data beside such a workflow can undo the workflow's own writes.
 * Reading alone cannot be told from writing by looking at code, so any use counts.
 */
export function nodesUsingStaticData(nodes: WorkflowNodeInfo[], except?: string): string[] {
	return nodes.filter((node) => node.name !== except && node.disabled !== true && mentionsStaticData(node.parameters, 0)).map((node) => node.name);
}
