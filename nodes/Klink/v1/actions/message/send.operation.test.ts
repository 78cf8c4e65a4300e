/**
 * The Klink node's execute() end to end on this machine: a small stand-in for n8n's execute context whose
 * `helpers.httpRequest` follows n8n's contract (returnFullResponse, ignoreHttpStatusErrors, encoding, timeout;
 * network failures rejected like axios, with the URL in message, config and stack), against a real local
 * HTTP server standing in for klink. The real n8n runs are in test/e2e.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';

import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type INode,
	type INodeExecutionData,
} from 'n8n-workflow';

import { Klink } from '../../../Klink.node';
import { closeServer, listenOnLoopback } from '../../../../../test/support/loopbackServer';

const SECRET_A = 'a1b2c3d4e5f6a7b8c9d0';
const SECRET_B = 'f0e9d8c7b6a5f4e3d2c1';
const PATH = `/custom-channel/${SECRET_A}/${SECRET_B}/webhook`;

interface Received {
	at: number;
	headers: IncomingMessage['headers'];
	body: IDataObject;
}

type Answer = (req: IncomingMessage, res: ServerResponse, body: IDataObject) => void | Promise<void>;

class FakeKlink {
	received: Received[] = [];
	inFlight = 0;
	maxInFlight = 0;
	/** Requests in flight per conversation (or per sender without one), and the most ever seen for any of them. */
	private inFlightByKey = new Map<string, number>();
	maxInFlightPerKey = 0;
	answer: Answer = (_req, res) => json(res, 200, { ok: true });
	private server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', async () => {
			const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as IDataObject;
			this.received.push({ at: Date.now(), headers: req.headers, body });
			const key = String(body.conversationId ?? `sender:${(body.sender as IDataObject | undefined)?.id}`);
			this.inFlight += 1;
			this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
			this.inFlightByKey.set(key, (this.inFlightByKey.get(key) ?? 0) + 1);
			this.maxInFlightPerKey = Math.max(this.maxInFlightPerKey, this.inFlightByKey.get(key) ?? 0);
			res.on('close', () => {
				this.inFlight -= 1;
				this.inFlightByKey.set(key, (this.inFlightByKey.get(key) ?? 1) - 1);
			});
			await this.answer(req, res, body);
		});
	});
	port = 0;

	async start() {
		this.port = await listenOnLoopback(this.server);
	}

	get url() {
		return `http://127.0.0.1:${this.port}${PATH}`;
	}

	async stop() {
		await closeServer(this.server);
	}
}

function json(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}) {
	res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
	res.end(JSON.stringify(payload));
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** n8n's httpRequest helper, as far as the node relies on it, on Node's fetch. */
async function n8nLikeHttpRequest(options: IHttpRequestOptions) {
	let response: Response;
	try {
		response = await fetch(options.url, {
			method: options.method,
			headers: options.headers as Record<string, string>,
			body: JSON.stringify(options.body),
			signal: AbortSignal.timeout(options.timeout ?? 300_000),
		});
	} catch (error) {
		const failure = error as Error & { cause?: { code?: string; message?: string } };
		const timedOut = failure.name === 'TimeoutError';
		const message = timedOut ? `timeout of ${options.timeout}ms exceeded` : (failure.cause?.message ?? failure.message);
		// Like an AxiosError: the URL is in the config and, through the stack, in anything that prints it.
		throw Object.assign(new Error(`${message} (POST ${options.url})`), {
			code: timedOut ? 'ECONNABORTED' : failure.cause?.code,
			config: { url: options.url, method: 'post', data: JSON.stringify(options.body) },
			stack: `AxiosError: ${message}\n    at request (${options.url})`,
		});
	}
	const text = await response.text();
	if (!options.ignoreHttpStatusErrors && response.status >= 400) {
		throw Object.assign(new Error(`Request failed with status code ${response.status}`), { config: { url: options.url } });
	}
	const body = options.encoding === 'text' ? text : text ? JSON.parse(text) : '';
	if (!options.returnFullResponse) return body;
	return { statusCode: response.status, statusMessage: response.statusText, headers: Object.fromEntries(response.headers), body };
}

interface RunSettings {
	items: IDataObject[];
	params?: Partial<Record<string, (item: IDataObject) => unknown>>;
	options?: IDataObject;
	continueOnFail?: boolean;
	inboundUrl?: string;
	executionId?: string;
	runIndex?: number;
	abortSignal?: AbortSignal;
}

const defaultParams: Record<string, (item: IDataObject) => unknown> = {
	resource: () => 'message',
	operation: () => 'send',
	content: (item) => item.content ?? '',
	senderId: (item) => item.senderId ?? '',
	senderName: (item) => item.senderName ?? '',
	conversationId: (item) => item.conversationId ?? '',
	messageId: (item) => item.messageId ?? '',
	timestamp: (item) => item.timestamp ?? '',
	messageType: () => 'text',
};

const node: INode = {
	id: 'klink-node-id',
	name: 'Klink',
	type: 'n8n-nodes-klink.klink',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

const logs: string[] = [];

function contextFor(settings: RunSettings): IExecuteFunctions {
	const items: INodeExecutionData[] = settings.items.map((json) => ({ json }));
	const params = { ...defaultParams, ...settings.params };
	const context = {
		getInputData: () => items,
		getNode: () => node,
		continueOnFail: () => settings.continueOnFail ?? false,
		getExecutionId: () => settings.executionId ?? 'exec-1',
		getExecuteData: () => ({ runIndex: settings.runIndex ?? 0 }),
		evaluateExpression: (expression: string) => {
			if (expression.includes('$runIndex')) return settings.runIndex ?? 0;
			throw new Error(`unexpected expression ${expression}`);
		},
		getExecutionCancelSignal: () => settings.abortSignal,
		getCredentials: async (type: string) => {
			if (type !== 'klinkCustomChannelApi') throw new Error(`unexpected credential type ${type}`);
			return { inboundUrl: settings.inboundUrl };
		},
		getNodeParameter: (name: string, itemIndex: number, fallback?: unknown) => {
			if (name === 'options') return settings.options ?? {};
			const read = params[name];
			if (!read) return fallback;
			return read(items[itemIndex].json);
		},
		logger: {
			debug: (message: string) => logs.push(message),
			info: (message: string) => logs.push(message),
			warn: (message: string) => logs.push(message),
			error: (message: string) => logs.push(message),
		},
		helpers: { httpRequest: n8nLikeHttpRequest },
	};
	return context as unknown as IExecuteFunctions;
}

const klinkNode = new Klink();
const v1 = klinkNode.nodeVersions[1];

async function run(settings: RunSettings): Promise<INodeExecutionData[]> {
	const output = await v1.execute!.call(contextFor(settings));
	expect(output).toHaveLength(1);
	return (output as INodeExecutionData[][])[0];
}

async function runExpectingError(settings: RunSettings): Promise<NodeApiError | NodeOperationError> {
	try {
		await run(settings);
	} catch (error) {
		expect(error instanceof NodeApiError || error instanceof NodeOperationError).toBe(true);
		return error as NodeApiError | NodeOperationError;
	}
	throw new Error('expected the node to fail');
}

/** Everything an error could show: message, description, stack, JSON and whatever it keeps as cause. */
function everythingIn(error: unknown): string {
	const e = error as Error & { description?: unknown; cause?: unknown; context?: unknown; messages?: unknown };
	return [e.message, String(e.description), e.stack, JSON.stringify(e), JSON.stringify(e.cause ?? null), JSON.stringify(e.context ?? null), JSON.stringify(e.messages ?? null)].join('\n');
}

function expectNoSecret(text: string) {
	expect(text).not.toContain(SECRET_A);
	expect(text).not.toContain(SECRET_B);
}

const john = { senderId: 'user-123', senderName: 'John Doe' };
const fast = { retryDelay: 5, maxRetryDelay: 50 };

describe('Klink node, Message > Send', () => {
	let klink: FakeKlink;

	beforeEach(async () => {
		logs.length = 0;
		klink = new FakeKlink();
		await klink.start();
	});

	afterEach(async () => {
		await klink.stop();
	});

	it('posts the documented bodies and outputs klink’s answer with what was sent, paired and in input order', async () => {
		klink.answer = (_req, res, body) => json(res, 200, { ok: true, echoed: body.messageId });
		const before = Date.now();
		const output = await run({
			inboundUrl: klink.url,
			items: [
				{ content: 'Hello from our custom platform', ...john },
				{ content: 'Following up on the issue', ...john, conversationId: 'ca7de328', messageId: 'msg-002', timestamp: 1765440850000 },
			],
		});

		expect(klink.received).toHaveLength(2);
		const started = klink.received.find((r) => r.body.content === 'Hello from our custom platform')!;
		expect(Object.keys(started.body).sort()).toEqual(['content', 'messageId', 'sender', 'timestamp', 'type']);
		expect(started.body).toMatchObject({ sender: { id: 'user-123', name: 'John Doe' }, type: 'text' });
		expect(started.body.timestamp).toBeGreaterThanOrEqual(before);
		expect(started.headers['content-type']).toBe('application/json');
		expect(started.headers.authorization).toBeUndefined();
		const continued = klink.received.find((r) => r.body.messageId === 'msg-002')!;
		expect(continued.body).toEqual({
			messageId: 'msg-002',
			content: 'Following up on the issue',
			sender: { id: 'user-123', name: 'John Doe' },
			timestamp: 1765440850000,
			type: 'text',
			conversationId: 'ca7de328',
		});

		expect(output).toEqual([
			{
				json: {
					messageId: started.body.messageId,
					conversationId: null,
					statusCode: 200,
					attempts: 1,
					response: { ok: true, echoed: started.body.messageId },
				},
				pairedItem: { item: 0 },
			},
			{
				json: {
					messageId: 'msg-002',
					conversationId: 'ca7de328',
					statusCode: 200,
					attempts: 1,
					response: { ok: true, echoed: 'msg-002' },
				},
				pairedItem: { item: 1 },
			},
		]);
	});

	it('derives the same message id when the same item is sent again in the same execution, and a new one otherwise', async () => {
		const items = [{ content: 'hi', ...john }, { content: 'hi again', ...john }];
		const first = await run({ inboundUrl: klink.url, items });
		const again = await run({ inboundUrl: klink.url, items });
		const nextRun = await run({ inboundUrl: klink.url, items, runIndex: 1 });
		const otherExecution = await run({ inboundUrl: klink.url, items, executionId: 'exec-2' });
		const ids = (output: INodeExecutionData[]) => output.map((item) => item.json.messageId);
		expect(ids(again)).toEqual(ids(first));
		expect(new Set(ids(first)).size).toBe(2);
		expect(ids(nextRun)).not.toEqual(ids(first));
		expect(ids(otherExecution)).not.toEqual(ids(first));
		expect(klink.received.map((r) => r.body.messageId).slice(0, 4)).toEqual([...ids(first), ...ids(again)]);
	});

	it('validates every item before sending anything and names the item and the field', async () => {
		const error = await runExpectingError({
			inboundUrl: klink.url,
			items: [{ content: 'fine', ...john }, { content: '   ', ...john }, { content: 'x', senderId: 'u', senderName: '' }],
		});
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Item 1: Content (content) is required and must not be empty');
		expect((error as NodeOperationError & { context: IDataObject }).context.itemIndex).toBe(1);
		expect(error.description).toContain('2 of 3 items are invalid (items 1, 2). Nothing was sent.');
		expect(klink.received).toHaveLength(0);
	});

	it('rejects a timestamp in seconds with a helpful message', async () => {
		const error = await runExpectingError({ inboundUrl: klink.url, items: [{ content: 'x', ...john, timestamp: 1765440758 }] });
		expect(error.message).toContain('Item 0: Timestamp (timestamp) must be in milliseconds');
	});

	it('with Continue On Fail, puts each failure in its place and still sends the good items', async () => {
		klink.answer = (_req, res, body) =>
			String(body.content).includes('[400]') ? json(res, 400, { error: 'content rejected' }) : json(res, 200, { ok: true });
		const output = await run({
			inboundUrl: klink.url,
			continueOnFail: true,
			items: [
				{ content: 'first good', ...john, conversationId: 'k-1' },
				{ content: 'no sender name', senderId: 'user-9', senderName: '', conversationId: 'k-2' },
				{ content: 'second good', ...john, conversationId: 'k-3' },
				{ content: 'refused by klink [400]', ...john, conversationId: 'k-4' },
			],
		});
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(output[0].json).toMatchObject({ statusCode: 200, conversationId: 'k-1' });
		expect(output[1].json).toEqual({
			error: 'Item 1: Sender Name (senderName) is required and must not be empty',
			field: 'senderName',
		});
		expect(output[2].json).toMatchObject({ statusCode: 200, conversationId: 'k-3' });
		expect(output[3].json).toMatchObject({
			error: 'Item 3: klink.cloud answered HTTP 400 Bad Request',
			statusCode: 400,
			attempts: 1,
			conversationId: 'k-4',
		});
		expect(String(output[3].json.description)).toContain('content rejected');
		expect(klink.received.map((r) => r.body.content).sort()).toEqual(['first good', 'refused by klink [400]', 'second good']);
	});

	it('without Continue On Fail, a refused message fails the node with an API error', async () => {
		klink.answer = (_req, res) => json(res, 422, { message: 'sender.id invalid' });
		const error = await runExpectingError({ inboundUrl: klink.url, items: [{ content: 'x', ...john }] });
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Item 0: klink.cloud answered HTTP 422 Unprocessable Entity');
		expect((error as NodeApiError).httpCode).toBe('422');
		expect(error.description).toContain('sender.id invalid');
	});

	it('retries 429 and 5xx with the same message and reports the attempts', async () => {
		const seen = new Map<string, number>();
		klink.answer = (_req, res, body) => {
			const count = (seen.get(String(body.content)) ?? 0) + 1;
			seen.set(String(body.content), count);
			if (body.content === 'rate limited' && count === 1) return json(res, 429, { error: 'slow down' }, { 'Retry-After': '0' });
			if (body.content === 'flaky' && count <= 2) return json(res, 503, { error: 'busy' });
			return json(res, 200, { ok: true });
		};
		const output = await run({
			inboundUrl: klink.url,
			options: fast,
			items: [
				{ content: 'rate limited', ...john, conversationId: 'c-1' },
				{ content: 'flaky', ...john, conversationId: 'c-2' },
				{ content: 'fine', ...john, conversationId: 'c-3' },
			],
		});
		expect(output.map((item) => item.json.attempts)).toEqual([2, 3, 1]);
		const flaky = klink.received.filter((r) => r.body.content === 'flaky');
		expect(new Set(flaky.map((r) => r.body.messageId)).size).toBe(1);
		expect(logs.some((line) => line.includes('HTTP 503; retry 1 of 3'))).toBe(true);
	});

	it('never retries a 4xx other than 429', async () => {
		klink.answer = (_req, res) => json(res, 404, { error: 'no such channel' });
		const output = await run({ inboundUrl: klink.url, continueOnFail: true, options: fast, items: [{ content: 'x', ...john }] });
		expect(output[0].json).toMatchObject({ statusCode: 404, attempts: 1 });
		expect(klink.received).toHaveLength(1);
	});

	it('keeps each conversation in input order while conversations go out in parallel, up to the concurrency', async () => {
		// The first message of each conversation is the slowest: a later one sent too early would overtake it.
		klink.answer = async (_req, res, body) => {
			await delay(String(body.content).endsWith('-0') ? 40 : 10);
			json(res, 200, { ok: true });
		};
		// Mostly grouped by conversation, so a scheduler that ignored conversations would overlap them.
		const items: IDataObject[] = [];
		for (const conversation of ['a', 'b', 'c', 'd', 'e', 'f']) {
			for (let n = 0; n < 5; n += 1) {
				items.push({ content: `${conversation}-${n}`, ...john, conversationId: `conv-${conversation}` });
			}
		}
		items.push(items.splice(3, 1)[0]); // and one latecomer: a-3 after everything else
		const output = await run({ inboundUrl: klink.url, options: { concurrency: 3 }, items });
		for (const conversation of ['a', 'b', 'c', 'd', 'e', 'f']) {
			const sent = klink.received.filter((r) => r.body.conversationId === `conv-${conversation}`).map((r) => r.body.content);
			const expected = items.filter((item) => item.conversationId === `conv-${conversation}`).map((item) => item.content);
			expect(sent).toEqual(expected);
		}
		expect(klink.maxInFlight).toBe(3);
		expect(klink.maxInFlightPerKey).toBe(1);
		expect(output.map((item) => item.json.conversationId)).toEqual(items.map((item) => item.conversationId));
		expect(output.map((item) => item.pairedItem)).toEqual(items.map((_, index) => ({ item: index })));
	});

	it('keeps one sender’s new-conversation messages in order', async () => {
		klink.answer = async (_req, res) => {
			await delay(10);
			json(res, 200, { ok: true });
		};
		const items = [0, 1, 2, 3].flatMap((n) => [
			{ content: `ann-${n}`, senderId: 'ann', senderName: 'Ann' },
			{ content: `bob-${n}`, senderId: 'bob', senderName: 'Bob' },
		]);
		await run({ inboundUrl: klink.url, options: { concurrency: 5 }, items });
		expect(klink.received.filter((r) => String(r.body.content).startsWith('ann')).map((r) => r.body.content)).toEqual([
			'ann-0',
			'ann-1',
			'ann-2',
			'ann-3',
		]);
		expect(klink.maxInFlight).toBe(2);
		expect(klink.maxInFlightPerKey).toBe(1);
	});

	it('never shows the inbound URL: unreachable klink, error pages that echo it, logs and output', async () => {
		klink.answer = (req, res) => {
			res.writeHead(404, { 'Content-Type': 'text/html' });
			res.end(`<pre>Cannot POST ${req.url}</pre><a href="http://127.0.0.1:${klink.port}${req.url}">retry</a>`);
		};
		const echoed = await runExpectingError({ inboundUrl: klink.url, items: [{ content: 'x', ...john }] });
		expect(echoed.description).toContain('Cannot POST /custom-channel/***');
		expectNoSecret(everythingIn(echoed));

		const url = klink.url;
		await klink.stop();
		const refused = await runExpectingError({ inboundUrl: url, options: { ...fast, maxRetries: 1 }, items: [{ content: 'x', ...john }] });
		expect(refused).toBeInstanceOf(NodeOperationError);
		expect(refused.message).toBe(
			`Item 0: klink.cloud refused the connection after 2 attempts (http://127.0.0.1:${klink.port}/custom-channel/***)`,
		);
		expect(refused.description).toContain('ECONNREFUSED');
		expectNoSecret(everythingIn(refused));

		const inOutput = await run({ inboundUrl: url, continueOnFail: true, options: { ...fast, maxRetries: 0 }, items: [{ content: 'x', ...john }] });
		expect(inOutput[0].json.error).toContain('klink.cloud refused the connection');
		expect(inOutput[0].json.description).toContain('ECONNREFUSED');
		expectNoSecret(JSON.stringify(inOutput));
		expectNoSecret(logs.join('\n'));
		klink = new FakeKlink();
		await klink.start();
	});

	it('times out a slow answer and retries it', async () => {
		let calls = 0;
		klink.answer = async (_req, res) => {
			calls += 1;
			if (calls === 1) await delay(500);
			if (!res.destroyed) json(res, 200, { ok: true });
		};
		const output = await run({ inboundUrl: klink.url, options: { ...fast, timeout: 100 }, items: [{ content: 'x', ...john }] });
		expect(output[0].json).toMatchObject({ statusCode: 200, attempts: 2 });
	});

	it('stops retrying once the execution is cancelled', async () => {
		klink.answer = (_req, res) => json(res, 503, { error: 'busy' });
		const controller = new AbortController();
		const started = Date.now();
		setTimeout(() => controller.abort(), 50);
		const error = await runExpectingError({
			inboundUrl: klink.url,
			abortSignal: controller.signal,
			// n8n-workflow's sleep cannot be cancelled, only abandoned: its timer runs out on its own later.
			options: { retryDelay: 900, maxRetryDelay: 900 },
			items: [{ content: 'x', ...john }],
		});
		expect(Date.now() - started).toBeLessThan(600);
		expect(error.message).toContain('cancelled');
	});

	it.each([
		['empty', '', 'is empty'],
		['plain http to another host', `http://me.klink.cloud${PATH}`, 'must use https'],
		['not a URL', `me.klink.cloud${PATH}`, 'not a valid URL'],
	])('fails clearly, without the secret, when the credential URL is %s', async (_label, inboundUrl, reason) => {
		const error = await runExpectingError({ inboundUrl, items: [{ content: 'x', ...john }] });
		expect(error.message).toContain(reason);
		expectNoSecret(everythingIn(error));
		const output = await run({ inboundUrl, continueOnFail: true, items: [{ content: 'x', ...john }, { content: 'y', ...john }] });
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(String(output[0].json.error)).toContain(reason);
	});

	it('rejects an invalid option before sending', async () => {
		const error = await runExpectingError({ inboundUrl: klink.url, options: { concurrency: 0 }, items: [{ content: 'x', ...john }] });
		expect(error.message).toContain('Concurrency (concurrency) must be a whole number from 1 to 50');
		expect(klink.received).toHaveLength(0);
	});
});
