import { getAdditionalKeys } from 'n8n-core';
import {
	Workflow,
	WorkflowDataProxy,
	type EnvProviderState,
	type IDataObject,
	type IExecuteData,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type IRunExecutionData,
	type ITaskDataConnections,
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
} from 'n8n-workflow';
import { createContext, runInContext } from 'vm';

/**
 * n8n's JavaScript task runner, in this process. n8n-nodes-base's Code node hands its code to
 * `additionalData.startRunnerTask`, which n8n's server passes to a separate runner process
 * (@n8n/task-runner, not installed here). This does what that runner does for "Run Once for All Items":
 * the data goes over as JSON (so the code sees copies), a workflow is rebuilt from it, the code runs in a
 * `vm` context with n8n-workflow's own data proxy (`$input`, `$json`, `$('…')`, …) and
 * `$getWorkflowStaticData`, and static data the code changed comes back and replaces the execution's
 * (`workflow.overrideStaticData`), as n8n's task requester does.
 */

/** n8n's Result (from @n8n/utils, which this package does not depend on directly). */
type Result<T, E> = { ok: true; result: T } | { ok: false; error: E };
const createResultOk = <T, E>(result: T): Result<T, E> => ({ ok: true, result });
const createResultError = <T, E>(error: E): Result<T, E> => ({ ok: false, error });

interface JsTaskSettings {
	code: string;
	nodeMode: string;
	continueOnFail: boolean;
	additionalProperties?: Record<string, unknown>;
}

/** What crossing the runner's websocket leaves of a value. */
function overTheWire<T>(value: T): T {
	return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

export async function startRunnerTask<T, E = unknown>(
	additionalData: IWorkflowExecuteAdditionalData,
	jobType: string,
	rawSettings: unknown,
	_executeFunctions: IExecuteFunctions,
	_inputData: ITaskDataConnections,
	node: INode,
	workflow: Workflow,
	runExecutionData: IRunExecutionData,
	runIndex: number,
	itemIndex: number,
	activeNodeName: string,
	connectionInputData: INodeExecutionData[],
	siblingParameters: INodeParameters,
	mode: WorkflowExecuteMode,
	envProviderState: EnvProviderState,
	executeData?: IExecuteData,
): Promise<Result<T, E>> {
	const settings = rawSettings as JsTaskSettings;
	if (jobType !== 'javascript' || settings.nodeMode !== 'runOnceForAllItems') {
		return createResultError<T, E>(new Error(`the in-process runner runs JavaScript "Run Once for All Items" only, not ${jobType} ${settings.nodeMode}`) as E);
	}
	const runnerWorkflow = new Workflow({
		id: workflow.id,
		name: workflow.name,
		active: workflow.active,
		nodes: overTheWire(Object.values(workflow.nodes)),
		connections: overTheWire(workflow.connectionsBySourceNode),
		settings: overTheWire(workflow.settings),
		staticData: overTheWire(workflow.staticData),
		nodeTypes: workflow.nodeTypes,
	});
	const runData = overTheWire(runExecutionData);
	const items = overTheWire(connectionInputData);
	const dataProxy = new WorkflowDataProxy(
		runnerWorkflow,
		runData,
		runIndex,
		itemIndex,
		activeNodeName,
		items,
		overTheWire(siblingParameters),
		mode,
		getAdditionalKeys(additionalData, mode, runData),
		overTheWire(executeData),
		-1,
		{},
		activeNodeName,
		envProviderState,
	).getDataProxy({ throwOnMissingExecutionData: false });

	const context = createContext({
		__isExecutionContext: true,
		console: { log: () => undefined },
		$getWorkflowStaticData: (type: 'global' | 'node') => runnerWorkflow.getStaticData(type, node),
		Buffer,
		setTimeout,
		clearTimeout,
		...dataProxy,
		items,
		...settings.additionalProperties,
	});
	try {
		const result = (await runInContext(
			['var module = { exports: {} }', `module.exports = async function VmCodeWrapper() {${settings.code}\n}()`].join('; '),
			context,
		)) as unknown;
		const changed = (runnerWorkflow.staticData as IDataObject).__dataChanged === true;
		if (changed) workflow.overrideStaticData(overTheWire(runnerWorkflow.staticData));
		return createResultOk<T, E>(overTheWire(result ?? []) as T);
	} catch (thrown) {
		// An error made in the vm is not an instance of this realm's Error; the runner sends its message.
		const message = String((thrown as { message?: unknown } | undefined)?.message ?? thrown);
		if (settings.continueOnFail) return createResultOk<T, E>([{ json: { error: message } }] as T);
		return createResultError<T, E>(new Error(message) as E);
	}
}
