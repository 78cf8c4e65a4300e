import { RecordingServer, type RecordedCall, type Reply } from './recordingServer';

/** A tool as the model was offered it, whichever OpenAI API n8n used. */
export interface OfferedTool {
	name: string;
	description?: string;
	parameters?: { properties?: Record<string, unknown>; required?: string[] };
}

interface ChatRequest {
	model?: string;
	messages?: Array<{ role: string; content?: unknown; tool_calls?: unknown[] }>;
	tools?: Array<{ type: string; function: OfferedTool }>;
	stream?: boolean;
}

interface ResponsesRequest {
	model?: string;
	instructions?: string;
	input?: string | Array<{ type?: string; role?: string; content?: unknown; output?: unknown }>;
	tools?: Array<OfferedTool & { type: string }>;
	stream?: boolean;
}

/**
 * What the stand-in answers. With a tool whose name matches `toolPattern` on offer, the first call of a
 * conversation calls that tool with `{ content: reply }`; otherwise (and once the tool's result is in the
 * conversation) it answers `finalText`, or what `finalText` returns for the recorded call.
 */
export interface FakeOpenAiScript {
	toolPattern?: RegExp;
	reply?: string;
	finalText: string | ((call: RecordedCall) => string);
}

/**
 * A scripted stand-in for the OpenAI API (Chat Completions and Responses), on 127.0.0.1, answering as
 * `FakeOpenAiScript` says. Point an `openAiApi` credential's Base URL at `baseUrl` to use it.
 */
export class FakeOpenAi extends RecordingServer {
	constructor(options: FakeOpenAiScript) {
		super((call) => respond(call, options));
	}

	get baseUrl(): string {
		return `${this.origin}/v1`;
	}

	/** The model calls n8n made, whichever API they used. */
	get modelCalls(): RecordedCall[] {
		return this.calls.filter((call) => /\/(chat\/completions|responses)$/.test(call.path.split('?')[0]));
	}
}

/** Everything n8n sent in a recorded model call (instructions, messages, tool results) as one string to search. */
export function promptText(call: RecordedCall): string {
	return JSON.stringify(call.body);
}

export function offeredTools(call: RecordedCall): OfferedTool[] {
	const body = call.body as ChatRequest & ResponsesRequest;
	// Chat Completions nests the tool under `function`; the Responses API does not.
	return (body.tools ?? []).map((tool) => ('function' in tool && tool.function ? tool.function : (tool as unknown as OfferedTool)));
}

interface Script {
	toolPattern?: RegExp;
	reply: string;
	finalText: string;
}

function respond(call: RecordedCall, options: FakeOpenAiScript): Reply {
	const path = call.path.split('?')[0];
	if (call.method !== 'POST') return { status: 404, body: { error: { message: `no ${call.method} ${path} here` } } };
	const script: Script = {
		toolPattern: options.toolPattern,
		reply: options.reply ?? '',
		finalText: typeof options.finalText === 'function' ? options.finalText(call) : options.finalText,
	};
	if (path.endsWith('/chat/completions')) return chatCompletion(call.body as ChatRequest, script);
	if (path.endsWith('/responses')) return responsesApi(call.body as ResponsesRequest, script);
	return { status: 404, body: { error: { message: `no ${path} here` } } };
}

const usage = { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 };

function chatCompletion(request: ChatRequest, options: Script): Reply {
	const tool = (request.tools ?? []).map((t) => t.function).find((t) => options.toolPattern?.test(t.name));
	const toolAnswered = (request.messages ?? []).some((message) => message.role === 'tool');
	const message =
		tool && !toolAnswered
			? {
					role: 'assistant',
					content: null,
					tool_calls: [
						{ id: 'call_klink_1', type: 'function', function: { name: tool.name, arguments: JSON.stringify({ content: options.reply }) } },
					],
				}
			: { role: 'assistant', content: options.finalText };
	return {
		body: {
			id: `chatcmpl-${Date.now()}`,
			object: 'chat.completion',
			created: Math.floor(Date.now() / 1000),
			model: request.model ?? 'gpt-4.1-mini',
			choices: [{ index: 0, message, logprobs: null, finish_reason: 'tool_calls' in message ? 'tool_calls' : 'stop' }],
			usage,
		},
	};
}

function responsesApi(request: ResponsesRequest, options: Script): Reply {
	const tool = (request.tools ?? []).find((t) => t.type === 'function' && options.toolPattern?.test(t.name));
	const input = Array.isArray(request.input) ? request.input : [];
	const toolAnswered = input.some((item) => item.type === 'function_call_output');
	const output =
		tool && !toolAnswered
			? [
					{
						type: 'function_call',
						id: 'fc_klink_1',
						call_id: 'call_klink_1',
						name: tool.name,
						arguments: JSON.stringify({ content: options.reply }),
						status: 'completed',
					},
				]
			: [
					{
						type: 'message',
						id: 'msg_final_1',
						role: 'assistant',
						status: 'completed',
						content: [{ type: 'output_text', text: options.finalText, annotations: [] }],
					},
				];
	return {
		body: {
			id: `resp_${Date.now()}`,
			object: 'response',
			created_at: Math.floor(Date.now() / 1000),
			status: 'completed',
			model: request.model ?? 'gpt-4.1-mini',
			output,
			parallel_tool_calls: true,
			tool_choice: 'auto',
			tools: request.tools ?? [],
			usage: { input_tokens: 12, output_tokens: 8, total_tokens: 20, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } },
		},
	};
}
