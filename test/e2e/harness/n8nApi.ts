import { randomUUID } from 'crypto';

import type { N8nMajor } from './versions';
import { sleepMs } from './n8nInstance';

export interface ApiTarget {
	baseUrl: string;
	apiKey: string;
	major: N8nMajor;
	/** Where production webhooks are served when that is not `baseUrl` (queue mode: the nginx front). */
	webhookBaseUrl?: string;
}

/** The base of the instance's production webhook URLs: what n8n shows users as the Production URL. */
export function webhookBase(target: ApiTarget): string {
	return target.webhookBaseUrl ?? target.baseUrl;
}

export const PACKAGE = 'n8n-nodes-klink';

/** A call to n8n's public API (/api/v1) with the instance's API key; throws with the answer on a non-2xx. */
export async function api<T>(target: ApiTarget, method: string, path: string, body?: unknown): Promise<T> {
	const send = () =>
		fetch(new URL(`/api/v1${path}`, target.baseUrl), {
			method,
			headers: { 'X-N8N-API-KEY': target.apiKey, 'content-type': 'application/json', accept: 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
	// After a suite restarts n8n on the same port, fetch may reuse a kept-alive connection to the old process,
	// which fails at once with "other side closed" before n8n saw the request: send it once more, on a new one.
	const response = await send().catch((error: unknown) => {
		if ((error as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET') throw error;
		return send();
	});
	const text = await response.text();
	if (!response.ok) throw new Error(`${method} ${path} -> ${response.status}: ${text}`);
	return (text ? JSON.parse(text) : {}) as T;
}

export async function createCredential(
	target: ApiTarget,
	type: string,
	data: Record<string, unknown>,
	name = `${type} ${randomUUID().slice(0, 8)}`,
): Promise<{ id: string; name: string }> {
	const created = await api<{ id: string; name: string }>(target, 'POST', '/credentials', { name, type, data });
	return { id: created.id, name: created.name };
}

export interface WorkflowNode {
	id?: string;
	onError?: string;
	name: string;
	type: string;
	typeVersion: number;
	position?: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	webhookId?: string;
}

export interface CreatedWorkflow {
	id: string;
	nodes: WorkflowNode[];
}

export async function createWorkflow(
	target: ApiTarget,
	name: string,
	nodes: WorkflowNode[],
	connections: Record<string, unknown> = {},
	extra: { staticData?: Record<string, unknown> } = {},
): Promise<CreatedWorkflow> {
	const withIds = nodes.map((node, index) => ({
		id: node.id ?? randomUUID(),
		position: node.position ?? [index * 220, 0],
		...node,
	}));
	return await api<CreatedWorkflow>(target, 'POST', '/workflows', {
		name,
		nodes: withIds,
		connections,
		settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all', saveDataErrorExecution: 'all' },
		...extra,
	});
}

export async function activateWorkflow(target: ApiTarget, id: string): Promise<void> {
	await api(target, 'POST', `/workflows/${id}/${target.major === 1 ? 'activate' : 'publish'}`, {});
}

export async function deactivateWorkflow(target: ApiTarget, id: string): Promise<void> {
	await api(target, 'POST', `/workflows/${id}/${target.major === 1 ? 'deactivate' : 'unpublish'}`, {});
}

export async function deleteWorkflow(target: ApiTarget, id: string): Promise<void> {
	await api(target, 'DELETE', `/workflows/${id}`);
}

export interface ExecutionSummary {
	id: string;
	status: string;
	finished: boolean;
	workflowId: string;
	data?: {
		resultData: {
			runData: Record<string, Array<{ data?: { main: Array<Array<{ json: Record<string, unknown> }> | null> }; error?: unknown }>>;
			error?: { message?: string };
		};
	};
}

export async function listExecutions(target: ApiTarget, workflowId: string): Promise<ExecutionSummary[]> {
	const result = await api<{ data: ExecutionSummary[] }>(
		target,
		'GET',
		`/executions?workflowId=${workflowId}&includeData=true&limit=250`,
	);
	return result.data;
}

/** The id of the newest execution n8n lists (its list leaves out running ones), 0 if none. */
export async function newestListedExecutionId(target: ApiTarget): Promise<number> {
	const result = await api<{ data: ExecutionSummary[] }>(target, 'GET', '/executions?limit=1');
	return Number(result.data[0]?.id ?? 0);
}

/**
 * The workflow's executions n8n has stored with an id above `afterId`, whatever their status: read one by one,
 * since the list leaves out the running ones. Looks at the next `span` ids.
 */
export async function executionsStoredAfter(target: ApiTarget, workflowId: string, afterId: number, span = 20): Promise<ExecutionSummary[]> {
	const found: ExecutionSummary[] = [];
	for (let id = afterId + 1; id <= afterId + span; id++) {
		const execution = await api<ExecutionSummary>(target, 'GET', `/executions/${id}`).catch(() => undefined);
		if (execution?.workflowId === workflowId) found.push(execution);
	}
	return found;
}

/** Waits until `count` executions of the workflow have finished (or failed), then returns them oldest first. */
export async function waitForExecutions(
	target: ApiTarget,
	workflowId: string,
	count: number,
	timeoutMs = 30_000,
): Promise<ExecutionSummary[]> {
	const deadline = Date.now() + timeoutMs;
	let executions: ExecutionSummary[] = [];
	while (Date.now() < deadline) {
		executions = await listExecutions(target, workflowId);
		const done = executions.filter((e) => !['running', 'new', 'waiting'].includes(e.status));
		if (done.length >= count) return done.sort((a, b) => Number(a.id) - Number(b.id));
		await sleepMs(200);
	}
	throw new Error(`expected ${count} executions of ${workflowId}, saw ${executions.length}`);
}

/** The items a node put out in an execution's first run. */
export function nodeOutput(execution: ExecutionSummary, nodeName: string): Array<Record<string, unknown>> {
	const run = execution.data?.resultData.runData[nodeName]?.[0];
	return (run?.data?.main[0] ?? []).map((item) => item.json);
}

export function webhookUrl(baseUrl: string, webhookId: string, path = 'klink'): string {
	return new URL(`/webhook/${webhookId}/${path}`, baseUrl).toString();
}

/**
 * n8n registers webhooks a moment after activation (2.x especially): wait until POST stops answering 404.
 * The probe is not JSON, so a Klink Trigger answers it 400/401 and starts nothing, whatever its auth mode.
 */
export async function waitForWebhookRoute(
	url: string,
	probe: { body: string; contentType: string } = { body: 'probe', contentType: 'text/plain' },
	timeoutMs = 20_000,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const response = await fetch(url, { method: 'POST', headers: { 'content-type': probe.contentType }, body: probe.body });
		await response.text();
		if (response.status !== 404) return;
		await sleepMs(200);
	}
	throw new Error(`webhook ${url} was not registered within ${timeoutMs} ms`);
}

/** How many executions of the workflow n8n holds, by status, read page by page (no execution data). */
export async function countExecutions(target: ApiTarget, workflowId: string): Promise<Record<string, number>> {
	const counts: Record<string, number> = {};
	let cursor: string | undefined;
	do {
		const page = await api<{ data: Array<{ status: string }>; nextCursor?: string | null }>(
			target,
			'GET',
			`/executions?workflowId=${workflowId}&limit=250${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
		);
		for (const execution of page.data) counts[execution.status] = (counts[execution.status] ?? 0) + 1;
		cursor = page.nextCursor ?? undefined;
	} while (cursor);
	return counts;
}
