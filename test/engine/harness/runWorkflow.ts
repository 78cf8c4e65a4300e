import './engineRuntime';

import { ExecutionLifecycleHooks, ExternalSecretsProxy, WorkflowExecute } from 'n8n-core';
import {
	createRunExecutionData,
	Workflow,
	type IConnections,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type IRun,
	type ITaskData,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
	type IWorkflowSettings,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { startRunnerTask } from './codeRunner';
import { TestCredentialsHelper, type CredentialsById, type CredentialsByType } from './credentialsHelper';
import type { DataTableStandIn } from './dataTableStandIn';
import { EngineNodeTypes } from './nodeTypes';

/** A workflow as n8n exports it (the files in examples/ are such exports). */
export interface WorkflowJson {
	id?: string;
	name?: string;
	nodes: INode[];
	connections: IConnections;
	settings?: IWorkflowSettings;
	staticData?: IDataObject;
}

export interface RunSettings {
	workflow: WorkflowJson;
	/** The node the run starts at, with `items` as its input (a trigger's items are passed through as its output). */
	startNode: string;
	items: INodeExecutionData[];
	credentials?: CredentialsByType;
	/** Credentials of single nodes, by the id in the node's credential reference (they win over `credentials`). */
	credentialsById?: CredentialsById;
	/** Node types for packages that are not installed here, by full type name. */
	nodeTypes?: EngineNodeTypes;
	executionId?: string;
	mode?: WorkflowExecuteMode;
	/** The public webhook base n8n would use (`WEBHOOK_URL` / `N8N_WEBHOOK_URL` plus `/webhook`). */
	webhookBaseUrl?: string;
	/** Cancels the run after this many milliseconds, as the editor's stop button does. */
	/** Cancels the run when this settles (as the editor's stop button would, at a moment the test chooses). */
	cancelWhen?: Promise<unknown>;
	/** n8n's data tables, for the Data Table node (without them the node fails as in an n8n whose module is off). */
	dataTables?: DataTableStandIn;
}

export interface EngineRun {
	run: IRun;
	/** Nodes in the order the engine finished them. */
	executionOrder: string[];
	/** The node's runs as n8n records them (one per run index). */
	runs(node: string): ITaskData[];
	/** Items of the node's first output in run `runIndex`; [] when it produced none. */
	output(node: string, runIndex?: number): INodeExecutionData[];
	/** The JSON of those items. */
	json(node: string, runIndex?: number): IDataObject[];
	/** The workflow's static data when the run changed it (what n8n saves after a production run), else undefined. */
	newStaticData?: IDataObject;
}

let executionCounter = 0;

/**
 * Data tables by workflow ID, for runs that are not given theirs (a WebhookServer's runs): in n8n they belong
 * to the instance, and every run of the workflow reaches the same ones.
 */
export const dataTablesByWorkflow = new Map<string, DataTableStandIn>();

/** The additional data n8n passes to every node context; only what an in-process run needs is real. */
export function additionalDataFor(
	hooks: ExecutionLifecycleHooks | undefined,
	credentialsHelper: TestCredentialsHelper,
	settings: { executionId: string; webhookBaseUrl?: string; workflowId?: string; dataTables?: DataTableStandIn },
): IWorkflowExecuteAdditionalData {
	const webhookBaseUrl = settings.webhookBaseUrl ?? 'http://127.0.0.1:5678/webhook';
	const unavailable = (what: string) => async () => {
		throw new Error(`${what} is not available in an in-process run`);
	};
	const additionalData: Omit<IWorkflowExecuteAdditionalData, 'hooks'> & { hooks?: ExecutionLifecycleHooks } = {
		hooks,
		credentialsHelper,
		externalSecretsProxy: new ExternalSecretsProxy(),
		executionId: settings.executionId,
		workflowId: settings.workflowId,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		formBaseUrl: 'http://127.0.0.1:5678/form',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
		webhookBaseUrl,
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: webhookBaseUrl.replace(/\/webhook$/, '/webhook-test'),
		mcpBaseUrl: 'http://127.0.0.1:5678/mcp',
		mcpTestBaseUrl: 'http://127.0.0.1:5678/mcp-test',
		variables: {},
		logAiEvent: () => undefined,
		executeWorkflow: unavailable('executeWorkflow'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		// The Code node's JavaScript, run as n8n's task runner would run it (codeRunner.ts).
		startRunnerTask,
		// Where n8n-core's node contexts find data tables (n8n's data-table module, here an in-memory stand-in).
		...(settings.dataTables ? { 'data-table': settings.dataTables.provider } : {}),
	};
	return additionalData as IWorkflowExecuteAdditionalData;
}

export function workflowBase(workflow: WorkflowJson, id: string): IWorkflowBase {
	return {
		id,
		name: workflow.name ?? id,
		nodes: workflow.nodes,
		connections: workflow.connections,
		settings: workflow.settings,
		active: false,
		activeVersionId: null,
		isArchived: false,
		createdAt: new Date(0),
		updatedAt: new Date(0),
	} as IWorkflowBase;
}

/** Loads the types a workflow needs and the credential types (with their parents) the test gives. */
export async function prepareTypes(workflow: WorkflowJson, credentials: CredentialsByType, nodeTypes: EngineNodeTypes) {
	await nodeTypes.load(new Set(workflow.nodes.map((node) => node.type)));
	const pending = Object.keys(credentials);
	while (pending.length > 0) {
		const type = await nodeTypes.loadCredential(pending.pop()!);
		pending.push(...(type?.extends ?? []));
	}
}

/**
 * Runs a workflow in this process on n8n-core's WorkflowExecute, as n8n runs an execution: n8n-workflow's
 * Workflow with the real node types, parameter resolution and expressions, n8n-core's node contexts and
 * HTTP helpers, lifecycle hooks. Resolves when the engine reports the execution finished.
 */
export async function runWorkflow(settings: RunSettings): Promise<EngineRun> {
	const credentials = settings.credentials ?? {};
	const nodeTypes = settings.nodeTypes ?? new EngineNodeTypes();
	await prepareTypes(settings.workflow, credentials, nodeTypes);

	const workflowId = settings.workflow.id ?? 'engine-workflow';
	const executionId = settings.executionId ?? `engine-${++executionCounter}`;
	const mode = settings.mode ?? 'manual';
	const workflow = new Workflow({
		id: workflowId,
		name: settings.workflow.name,
		nodes: settings.workflow.nodes,
		connections: settings.workflow.connections,
		settings: settings.workflow.settings ?? { executionOrder: 'v1' },
		staticData: settings.workflow.staticData,
		active: false,
		nodeTypes,
	});
	const start = workflow.getNode(settings.startNode);
	if (!start) throw new Error(`the workflow has no node "${settings.startNode}"`);

	const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowBase(settings.workflow, workflowId));
	const executionOrder: string[] = [];
	hooks.addHandler('nodeExecuteAfter', (nodeName) => {
		executionOrder.push(nodeName);
	});
	const finished = new Promise<{ run: IRun; newStaticData?: IDataObject }>((resolve) =>
		hooks.addHandler('workflowExecuteAfter', (run, newStaticData) => resolve({ run, newStaticData })),
	);

	const credentialsHelper = new TestCredentialsHelper(credentials, nodeTypes, settings.credentialsById);
	const additionalData = additionalDataFor(hooks, credentialsHelper, {
		executionId,
		webhookBaseUrl: settings.webhookBaseUrl,
		workflowId,
		dataTables: settings.dataTables ?? dataTablesByWorkflow.get(workflowId),
	});
	const runExecutionData = createRunExecutionData({
		executionData: { nodeExecutionStack: [{ node: start, data: { main: [settings.items] }, source: null }] },
	});

	const execution = new WorkflowExecute(additionalData, mode, runExecutionData).processRunExecutionData(workflow);
	void settings.cancelWhen?.then(() => execution.cancel());
	try {
		await execution;
	} catch (error) {
		// A cancelled run rejects here; the hooks still report how it ended.
		if (!execution.isCanceled) throw error;
	}
	const { run, newStaticData } = await finished;

	const runs = (node: string) => run.data.resultData.runData[node] ?? [];
	const output = (node: string, runIndex = 0) => runs(node)[runIndex]?.data?.main?.[0] ?? [];
	return {
		run,
		executionOrder,
		runs,
		output,
		json: (node, runIndex) => output(node, runIndex).map((item) => item.json),
		newStaticData: newStaticData === undefined ? undefined : (JSON.parse(JSON.stringify(newStaticData)) as IDataObject),
	};
}
