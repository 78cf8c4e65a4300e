import type { INode, IWebhookFunctions } from 'n8n-workflow';

import type { WorkflowNodeInfo } from '../shared/events/staticDataUsers';

/**
 * Every node of the workflow, with its parameters. n8n's node API lists only the trigger's descendants
 * (getChildNodes), but runs started by the workflow's other triggers write its static data too, so the whole
 * list is read from the workflow n8n built the context from (`workflow.nodes`, in n8n 1.x and 2.x alike); the
 * descendants stand in if that is ever missing.
 */
export function workflowNodes(context: IWebhookFunctions): WorkflowNodeInfo[] {
	const nodes = (context as unknown as { workflow?: { nodes?: Record<string, INode> } }).workflow?.nodes;
	if (nodes && typeof nodes === 'object') return Object.values(nodes);
	return context.getChildNodes(context.getNode().name, { includeNodeParameters: true });
}
