import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type SupplyData,
} from 'n8n-workflow';

/**
 * Node types for what is not installed here. n8n's AI nodes live in @n8n/n8n-nodes-langchain, a package
 * far larger than everything else the tests need. These stand-ins keep the workflow's wiring and
 * parameters as they are, so that n8n-core still resolves every expression, and give the nodes after them
 * the output the real node would give.
 */

export interface ChatMessage {
	role: 'system' | 'user';
	content: string;
}

/** A chat model that answers from a script, and keeps the messages it was sent. */
export interface ScriptedChatModel {
	readonly calls: ChatMessage[][];
	invoke(messages: ChatMessage[]): Promise<{ content: string }>;
}

export function scriptedChatModel(answer: (messages: ChatMessage[]) => string): ScriptedChatModel {
	const calls: ChatMessage[][] = [];
	return {
		calls,
		async invoke(messages) {
			calls.push(messages);
			return { content: answer(messages) };
		},
	};
}

/** A chat model sub-node: it supplies `model` to the root node it is connected to, as n8n's model nodes do. */
export function chatModelStandIn(name: string, version: number, model: ScriptedChatModel): INodeType {
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
			return { response: model };
		},
	};
}

interface JsonSchema {
	type?: string;
	properties?: Record<string, JsonSchema>;
	required?: string[];
	enum?: unknown[];
}

/** Why `value` does not fit `schema` (the subset of JSON Schema the Information Extractor's manual schema uses), or undefined. */
function schemaMismatch(value: unknown, schema: JsonSchema, at = 'output'): string | undefined {
	if (schema.enum && !schema.enum.includes(value)) return `${at} is ${JSON.stringify(value)}, not one of ${JSON.stringify(schema.enum)}`;
	const type = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
	const fits = schema.type === undefined || schema.type === type || (schema.type === 'integer' && Number.isInteger(value));
	if (!fits) return `${at} is a ${type}, not a ${schema.type}`;
	if (schema.type !== 'object') return undefined;
	const object = value as IDataObject;
	for (const key of schema.required ?? []) if (!(key in object)) return `${at}.${key} is missing`;
	for (const [key, property] of Object.entries(schema.properties ?? {})) {
		if (!(key in object)) continue;
		const mismatch = schemaMismatch(object[key], property, `${at}.${key}`);
		if (mismatch) return mismatch;
	}
	return undefined;
}

/** The model's answer as n8n's structured output parser reads it: JSON, bare or in a ```json fenced block. */
function parseAnswer(content: string): unknown {
	const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(content);
	return JSON.parse((fenced ? fenced[1] : content).trim());
}

/**
 * n8n's Information Extractor (`@n8n/n8n-nodes-langchain.informationExtractor`) with a manual JSON schema:
 * per item it sends the connected chat model its system prompt (with format instructions naming the schema)
 * and its text (both resolved by n8n-core), parses the answer, checks it against the schema and outputs it
 * as `{ output }`, so the expressions after it read what the real node would give them.
 */
export function informationExtractorStandIn(version: number): INodeType {
	return {
		description: {
			displayName: 'Information Extractor stand-in',
			name: 'informationExtractor',
			group: ['transform'],
			version,
			description: 'Stands in for the Information Extractor',
			defaults: { name: 'Information Extractor' },
			inputs: [NodeConnectionTypes.Main, { type: NodeConnectionTypes.AiLanguageModel, required: true, maxConnections: 1 }],
			outputs: [NodeConnectionTypes.Main],
			properties: [
				{ displayName: 'Text', name: 'text', type: 'string', default: '' },
				{ displayName: 'Schema Type', name: 'schemaType', type: 'string', default: 'fromAttributes' },
				{ displayName: 'Input Schema', name: 'inputSchema', type: 'json', default: '' },
				{
					displayName: 'Options',
					name: 'options',
					type: 'collection',
					default: {},
					options: [{ displayName: 'System Prompt Template', name: 'systemPromptTemplate', type: 'string', default: '' }],
				},
			],
		},
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			if (this.getNodeParameter('schemaType', 0) !== 'manual') {
				throw new NodeOperationError(this.getNode(), 'the stand-in only knows the manual JSON schema');
			}
			const model = (await this.getInputConnectionData(NodeConnectionTypes.AiLanguageModel, 0)) as ScriptedChatModel;
			const output: INodeExecutionData[] = [];
			for (let index = 0; index < this.getInputData().length; index += 1) {
				const text = this.getNodeParameter('text', index) as string;
				const schemaText = this.getNodeParameter('inputSchema', index) as string;
				const schema = JSON.parse(schemaText) as JsonSchema;
				const systemPrompt = this.getNodeParameter('options.systemPromptTemplate', index, '') as string;
				const { content } = await model.invoke([
					{ role: 'system', content: `${systemPrompt}\nAnswer with JSON that fits this schema:\n${schemaText}` },
					{ role: 'user', content: text },
				]);
				const answer = parseAnswer(content);
				const mismatch = schemaMismatch(answer, schema);
				if (mismatch) throw new NodeOperationError(this.getNode(), `Failed to parse the model's answer: ${mismatch}`, { itemIndex: index });
				output.push({ json: { output: answer as IDataObject }, pairedItem: { item: index } });
			}
			return [output];
		},
	};
}
