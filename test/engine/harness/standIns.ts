import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IVersionedNodeType,
	type SupplyData,
} from 'n8n-workflow';

/**
 * Node types for what is not installed here. n8n's AI nodes live in @n8n/n8n-nodes-langchain, a package
 * far larger than everything else the tests need, and the tool variant of a node (`klinkTool`) is made by
 * n8n's server when it loads a package, not by n8n-core. These stand-ins keep the workflow's wiring and
 * parameters as they are, so that n8n-core still resolves every expression and runs the real Klink node.
 */

/** What n8n's loader derives from a node marked `usableAsTool`: the same node, offered as an AI tool. */
export function toolVariant(nodeType: INodeType | IVersionedNodeType): INodeType {
	const version = 'nodeVersions' in nodeType ? nodeType.nodeVersions[nodeType.currentVersion] : nodeType;
	const base = version.description;
	const description: INodeTypeDescription = {
		...base,
		name: `${base.name}Tool`,
		displayName: `${base.displayName} Tool`,
		inputs: [],
		outputs: [NodeConnectionTypes.AiTool],
		properties: [
			{
				displayName: 'Tool Description',
				name: 'descriptionType',
				type: 'options',
				options: [
					{ name: 'Set Automatically', value: 'auto' },
					{ name: 'Set Manually', value: 'manual' },
				],
				default: 'auto',
			},
			{ displayName: 'Description', name: 'toolDescription', type: 'string', default: base.description },
			...base.properties,
		],
	};
	delete description.usableAsTool;
	return { description, execute: version.execute, methods: version.methods };
}

/** Sub-node descriptions only: the agent stand-in never asks for a model. */
export function chatModelStandIn(name: string, version: number): INodeType {
	return {
		description: {
			displayName: 'Chat model stand-in',
			name,
			group: ['transform'],
			version,
			description: 'Stands in for a chat model',
			defaults: { name: 'Chat model' },
			inputs: [],
			outputs: [NodeConnectionTypes.AiLanguageModel],
			properties: [],
		},
		async supplyData(): Promise<SupplyData> {
			throw new Error('the chat model stand-in is not meant to be called');
		},
	};
}

interface Tool {
	name: string;
	invoke(args: Record<string, unknown>): Promise<unknown>;
}

/**
 * An AI Agent that behaves like a model that always answers through its first tool: per item it reads its
 * prompt and system message (resolved by n8n-core), takes the tools n8n-core builds from the connected
 * tool nodes, calls the first with `arguments(prompt)` and outputs what happened.
 */
export function agentStandIn(name: string, version: number, toolArguments: (prompt: string) => Record<string, unknown>): INodeType {
	return {
		description: {
			displayName: 'AI Agent stand-in',
			name,
			group: ['transform'],
			version,
			description: 'Stands in for an AI agent',
			defaults: { name: 'AI Agent' },
			inputs: [
				NodeConnectionTypes.Main,
				{ type: NodeConnectionTypes.AiLanguageModel, required: true, maxConnections: 1 },
				{ type: NodeConnectionTypes.AiTool },
			],
			outputs: [NodeConnectionTypes.Main],
			properties: [
				{ displayName: 'Prompt', name: 'promptType', type: 'string', default: 'auto' },
				{ displayName: 'Text', name: 'text', type: 'string', default: '' },
				{
					displayName: 'Options',
					name: 'options',
					type: 'collection',
					default: {},
					options: [{ displayName: 'System Message', name: 'systemMessage', type: 'string', default: '' }],
				},
			],
		},
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			const output: INodeExecutionData[] = [];
			for (let index = 0; index < this.getInputData().length; index += 1) {
				const prompt = this.getNodeParameter('text', index) as string;
				const systemMessage = this.getNodeParameter('options.systemMessage', index, '') as string;
				const tools = ((await this.getInputConnectionData(NodeConnectionTypes.AiTool, index)) ?? []) as Tool[];
				const args = toolArguments(prompt);
				const toolResult = tools.length > 0 ? await tools[0].invoke(args) : undefined;
				output.push({
					json: { prompt, systemMessage, tools: tools.map((tool) => tool.name), toolArguments: args, toolResult: String(toolResult) },
					pairedItem: { item: index },
				});
			}
			return [output];
		},
	};
}
