/**
 * The Klink node (Message > Send) run by n8n-core's own engine, in this process: a workflow of an input
 * node and the Klink node goes through WorkflowExecute with n8n's real parameter resolution and
 * expressions, continueOnFail and pairedItem handling, cancellation and n8n-core's HTTP helper, against a
 * stand-in for klink's inbound webhook on 127.0.0.1. The same node in a running n8n: test/e2e.
 */
import { clearEngineLog, engineLogText } from './harness/engineRuntime';

import {
	type IDataObject,
	type INode,
	type INodeParameters,
	type ITaskData,
	type NodeApiError,
} from 'n8n-workflow';

import { answerJson, CustomChannelStandIn } from './harness/customChannelStandIn';
import { runWorkflow, type EngineRun, type WorkflowJson } from './harness/runWorkflow';

const SECRET_A = 'a1b2c3d4e5f6a7b8c9d0';
const SECRET_B = 'f0e9d8c7b6a5f4e3d2c1';
const PATH = `/custom-channel/${SECRET_A}/${SECRET_B}/webhook`;
const INPUT = 'Messages';
const KLINK = 'Klink';

/** Every message field read from the incoming item by an expression, as a user maps them in the editor. */
const FIELDS_FROM_ITEM: INodeParameters = {
	resource: 'message',
	operation: 'send',
	content: '={{ $json.content }}',
	senderId: '={{ $json.senderId }}',
	senderName: '={{ $json.senderName }}',
	conversationId: '={{ $json.conversationId }}',
	messageId: '={{ $json.messageId }}',
	timestamp: '={{ $json.timestamp }}',
	messageType: 'text',
};

interface SendSettings {
	items: IDataObject[];
	parameters?: INodeParameters;
	options?: INodeParameters;
	continueOnFail?: boolean;
	inboundUrl?: string;
	executionId?: string;
	cancelWhen?: Promise<unknown>;
	/** The input also reaches the Klink node through a second node, so that it runs twice (run index 0 and 1). */
	secondPath?: boolean;
}

function sendWorkflow(settings: SendSettings): WorkflowJson {
	const input = (name: string, x: number): INode => ({
		id: `${name}-id`,
		name,
		type: 'n8n-nodes-base.noOp',
		typeVersion: 1,
		position: [x, 0],
		parameters: {},
	});
	const klink: INode = {
		id: 'klink-node-id',
		name: KLINK,
		type: 'n8n-nodes-klink.klink',
		typeVersion: 1,
		position: [440, 0],
		parameters: { ...FIELDS_FROM_ITEM, ...settings.parameters, options: settings.options ?? {} },
		credentials: { klinkCustomChannelApi: { id: 'cred-1', name: 'Klink Custom Channel' } },
		...(settings.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
	const to = (...names: string[]) => ({ main: [names.map((node) => ({ node, type: 'main' as const, index: 0 }))] });
	if (!settings.secondPath) {
		return { id: 'klink-node-engine-test', nodes: [input(INPUT, 0), klink], connections: { [INPUT]: to(KLINK) } };
	}
	return {
		id: 'klink-node-engine-test',
		nodes: [input(INPUT, 0), input('Second path', 220), klink],
		connections: { [INPUT]: to(KLINK, 'Second path'), 'Second path': to(KLINK) },
	};
}

let klink: CustomChannelStandIn;

async function send(settings: SendSettings): Promise<EngineRun> {
	return await runWorkflow({
		workflow: sendWorkflow(settings),
		startNode: INPUT,
		items: settings.items.map((json) => ({ json })),
		credentials: { klinkCustomChannelApi: { inboundUrl: settings.inboundUrl ?? klink.url } },
		executionId: settings.executionId,
		cancelWhen: settings.cancelWhen,
	});
}

/** The Klink node's only run; fails the test when the node did not run exactly once. */
function klinkRun(result: EngineRun): ITaskData {
	const runs = result.runs(KLINK);
	expect(runs).toHaveLength(1);
	return runs[0];
}

/** What n8n records of a node error: the error's own fields copied into a plain object. */
type RecordedError = Pick<NodeApiError, 'name' | 'message' | 'description' | 'httpCode' | 'context' | 'stack'>;

/** The error the Klink node failed with, as n8n recorded it for the node and for the execution. */
function klinkError(result: EngineRun): RecordedError {
	const error = klinkRun(result).error as unknown as RecordedError;
	expect(['NodeApiError', 'NodeOperationError']).toContain(error?.name);
	expect(result.run.status).toBe('error');
	expect(result.run.data.resultData.error).toEqual(error);
	return error;
}

/** Everything an error could show: message, description, stack, JSON and whatever it keeps as cause. */
function everythingIn(error: unknown): string {
	const e = error as Error & { description?: unknown; cause?: unknown; context?: unknown; messages?: unknown };
	return [
		e.message,
		String(e.description),
		e.stack,
		JSON.stringify(e),
		JSON.stringify(e.cause ?? null),
		JSON.stringify(e.context ?? null),
		JSON.stringify(e.messages ?? null),
	].join('\n');
}

function expectNoSecret(text: string) {
	expect(text).not.toContain(SECRET_A);
	expect(text).not.toContain(SECRET_B);
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const john = { senderId: 'user-123', senderName: 'John Doe' };
const fast = { retryDelay: 5, maxRetryDelay: 50 };

describe('Klink node on n8n-core’s engine, Message > Send', () => {
	beforeEach(async () => {
		clearEngineLog();
		klink = await new CustomChannelStandIn(PATH).start();
	});

	afterEach(async () => {
		await klink.stop();
	});

	it('posts the documented bodies and outputs klink’s answer with what was sent, paired and in input order', async () => {
		klink.answer = (_req, res, body) => answerJson(res, 200, { ok: true, echoed: body.messageId });
		const before = Date.now();
		const result = await send({
			items: [
				{ content: 'Hello from our custom platform', ...john },
				{ content: 'Following up on the issue', ...john, conversationId: 'ca7de328', messageId: 'msg-002', timestamp: 1765440850000 },
			],
		});

		expect(result.run.status).toBe('success');
		expect(result.executionOrder).toEqual([INPUT, KLINK]);
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

		expect(result.output(KLINK)).toEqual([
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

	it('resolves expressions in every field and option, also through $() and the paired item', async () => {
		const result = await send({
			items: [
				{ text: 'first', who: { id: 'ann', name: 'Ann' }, room: 'r-1', n: 1 },
				{ text: 'second', who: { id: 'bob', name: 'Bob' }, room: 'r-2', n: 2 },
			],
			parameters: {
				content: '={{ $json.text.toUpperCase() }} #{{ $itemIndex }}',
				senderId: `={{ $('${INPUT}').item.json.who.id }}`,
				senderName: '={{ $json.who.name }} (via n8n)',
				conversationId: '={{ "conv-" + $json.room }}',
				messageId: '={{ $json.room }}-{{ $json.n }}',
				timestamp: '={{ 1765440850000 + $json.n }}',
				messageType: '={{ "text" }}',
			},
			options: {
				concurrency: '={{ 1 + 1 }}',
				maxRetries: '={{ 0 }}',
				retryDelay: '={{ 5 }}',
				maxRetryDelay: '={{ 50 }}',
				timeout: '={{ 5000 }}',
			},
		});
		expect(result.run.status).toBe('success');
		expect(klink.received.map((r) => r.body).sort((a, b) => String(a.messageId).localeCompare(String(b.messageId)))).toEqual([
			{ messageId: 'r-1-1', content: 'FIRST #0', sender: { id: 'ann', name: 'Ann (via n8n)' }, conversationId: 'conv-r-1', timestamp: 1765440850001, type: 'text' },
			{ messageId: 'r-2-2', content: 'SECOND #1', sender: { id: 'bob', name: 'Bob (via n8n)' }, conversationId: 'conv-r-2', timestamp: 1765440850002, type: 'text' },
		]);
		expect(klink.maxInFlight).toBeLessThanOrEqual(2);
	});

	it('reads `{{ $json.field }}` mappings straight from the item with the result n8n’s own evaluation gives', async () => {
		// The same items twice: once with the plain mappings the node reads itself, once with expressions that only
		// n8n can evaluate (wrapped in parentheses). Bodies and per-item errors must be identical.
		const items: IDataObject[] = [
			{ content: 'plain text', senderId: 42, senderName: ' Ann ', conversationId: 'c-1', messageId: 'm-1', 'time stamp': 1765440850000 },
			{ content: 'no conversation', senderId: 'u-2', senderName: 'Bob', conversationId: null, messageId: '', 'time stamp': '2025-12-11T08:12:38Z' },
			{ content: { nested: true }, senderId: 'u-3', senderName: 'Cid', messageId: 'm-3' },
			{ content: 'no sender', senderName: 'Dee', messageId: 'm-4', 'time stamp': new Date(1765440850000) as unknown as string },
			{ content: 'list', senderId: ['x'], senderName: 'Eve', messageId: 'm-5', 'time stamp': 1765440758 },
			{ content: '  ', senderId: 'u-6', senderName: 'Fay', messageId: 'm-6', conversationId: 7 },
			{ content: 'ok', senderId: 'u-7', senderName: 'Gus', messageId: 'm-7', conversationId: true },
		];
		const mappings = (wrap: (path: string) => string): INodeParameters => ({
			content: wrap('$json.content'),
			senderId: wrap('$json["senderId"]'),
			senderName: wrap("$json['senderName']"),
			conversationId: wrap('$json.conversationId'),
			messageId: wrap('$json.messageId'),
			timestamp: wrap('$json["time stamp"]'),
		});
		const outcome = async (parameters: INodeParameters) => {
			klink.received.length = 0;
			const result = await send({ items, parameters, continueOnFail: true, executionId: 'exec-same' });
			expect(result.run.status).toBe('success');
			return { output: result.json(KLINK), received: klink.received.map((r) => r.body) };
		};
		const direct = await outcome(mappings((path) => `={{ ${path} }}`));
		const evaluated = await outcome(mappings((path) => `={{ (${path}) }}`));
		expect(direct.received.length).toBeGreaterThan(0);
		// Only "now" (the default timestamp) may differ between the two runs.
		const stable = (run: { output: IDataObject[]; received: IDataObject[] }) => ({
			output: run.output,
			received: [...run.received]
				.map((body): IDataObject => ({ ...body, timestamp: body.timestamp === 1765440850000 || body.timestamp === 1765440758000 ? body.timestamp : 'now' }))
				.sort((a, b) => String(a.messageId).localeCompare(String(b.messageId))),
		});
		expect(stable(direct)).toEqual(stable(evaluated));
		expect(direct.output[2].error).toBe('Item 2: Content (content) must be text, got an object');
		expect(direct.output[3].error).toBe('Item 3: Sender ID (senderId) is required and must not be empty');
	});

	it('derives the same message id for the same item in the same execution and run, and a new one otherwise', async () => {
		const items = [{ content: 'hi', ...john }, { content: 'hi again', ...john }];
		const ids = (result: EngineRun, runIndex = 0) => result.json(KLINK, runIndex).map((json) => json.messageId);
		const first = await send({ items, executionId: 'exec-1' });
		const again = await send({ items, executionId: 'exec-1' });
		const otherExecution = await send({ items, executionId: 'exec-2' });
		// The items reach the Klink node on two paths: n8n runs it twice, with run index 0 and 1.
		const twice = await send({ items, executionId: 'exec-1', secondPath: true });

		expect(ids(again)).toEqual(ids(first));
		expect(new Set(ids(first)).size).toBe(2);
		expect(ids(otherExecution)).not.toEqual(ids(first));
		expect(twice.runs(KLINK)).toHaveLength(2);
		expect(ids(twice, 0)).toEqual(ids(first));
		expect(ids(twice, 1)).not.toEqual(ids(first));
		expect(klink.received.map((r) => r.body.messageId).slice(0, 4)).toEqual([...ids(first), ...ids(again)]);
	});

	it('validates every item before sending anything and names the item and the field', async () => {
		const result = await send({
			items: [{ content: 'fine', ...john }, { content: '   ', ...john }, { content: 'x', senderId: 'u', senderName: '' }],
		});
		const error = klinkError(result);
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toBe('Item 1: Content (content) is required and must not be empty');
		expect(error.context.itemIndex).toBe(1);
		expect(error.description).toContain('2 of 3 items are invalid (items 1, 2). Nothing was sent.');
		expect(klink.received).toHaveLength(0);
	});

	it('rejects a timestamp in seconds with a helpful message', async () => {
		const result = await send({ items: [{ content: 'x', ...john, timestamp: 1765440758 }] });
		expect(klinkError(result).message).toContain('Item 0: Timestamp (timestamp) must be in milliseconds');
	});

	it('with Continue On Fail, puts each failure in its place and still sends the good items', async () => {
		klink.answer = (_req, res, body) =>
			String(body.content).includes('[400]') ? answerJson(res, 400, { error: 'content rejected' }) : answerJson(res, 200, { ok: true });
		const result = await send({
			continueOnFail: true,
			items: [
				{ content: 'first good', ...john, conversationId: 'k-1' },
				{ content: 'no sender name', senderId: 'user-9', senderName: '', conversationId: 'k-2' },
				{ content: 'second good', ...john, conversationId: 'k-3' },
				{ content: 'refused by klink [400]', ...john, conversationId: 'k-4' },
			],
		});
		expect(result.run.status).toBe('success');
		expect(klinkRun(result).error).toBeUndefined();
		const output = result.output(KLINK);
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
		klink.answer = (_req, res) => answerJson(res, 422, { message: 'sender.id invalid' });
		const error = klinkError(await send({ items: [{ content: 'x', ...john }] }));
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toBe('Item 0: klink.cloud answered HTTP 422 Unprocessable Entity');
		expect(error.httpCode).toBe('422');
		expect(error.description).toContain('sender.id invalid');
	});

	it('retries 429 and 5xx with the same message and reports the attempts', async () => {
		const seen = new Map<string, number>();
		klink.answer = (_req, res, body) => {
			const count = (seen.get(String(body.content)) ?? 0) + 1;
			seen.set(String(body.content), count);
			if (body.content === 'rate limited' && count === 1) return answerJson(res, 429, { error: 'slow down' }, { 'Retry-After': '0' });
			if (body.content === 'flaky' && count <= 2) return answerJson(res, 503, { error: 'busy' });
			return answerJson(res, 200, { ok: true });
		};
		const result = await send({
			options: fast,
			items: [
				{ content: 'rate limited', ...john, conversationId: 'c-1' },
				{ content: 'flaky', ...john, conversationId: 'c-2' },
				{ content: 'fine', ...john, conversationId: 'c-3' },
			],
		});
		expect(result.json(KLINK).map((json) => json.attempts)).toEqual([2, 3, 1]);
		const flaky = klink.received.filter((r) => r.body.content === 'flaky');
		expect(flaky).toHaveLength(3);
		expect(new Set(flaky.map((r) => r.body.messageId)).size).toBe(1);
		// Through n8n's own logger, which a node reaches as this.logger.
		expect(engineLogText()).toContain('HTTP 503; retry 1 of 3');
	});

	it('never retries a 4xx other than 429', async () => {
		klink.answer = (_req, res) => answerJson(res, 404, { error: 'no such channel' });
		const result = await send({ continueOnFail: true, options: fast, items: [{ content: 'x', ...john }] });
		expect(result.json(KLINK)[0]).toMatchObject({ statusCode: 404, attempts: 1 });
		expect(klink.received).toHaveLength(1);
	});

	it('keeps each conversation in input order while conversations go out in parallel, up to the concurrency', async () => {
		// The first message of each conversation is the slowest: a later one sent too early would overtake it.
		klink.answer = async (_req, res, body) => {
			await delay(String(body.content).endsWith('-0') ? 40 : 10);
			answerJson(res, 200, { ok: true });
		};
		// Mostly grouped by conversation, so a scheduler that ignored conversations would overlap them.
		const items: IDataObject[] = [];
		for (const conversation of ['a', 'b', 'c', 'd', 'e', 'f']) {
			for (let n = 0; n < 5; n += 1) {
				items.push({ content: `${conversation}-${n}`, ...john, conversationId: `conv-${conversation}` });
			}
		}
		items.push(items.splice(3, 1)[0]); // and one latecomer: a-3 after everything else
		const result = await send({ options: { concurrency: 3 }, items });
		for (const conversation of ['a', 'b', 'c', 'd', 'e', 'f']) {
			const sent = klink.received.filter((r) => r.body.conversationId === `conv-${conversation}`).map((r) => r.body.content);
			const expected = items.filter((item) => item.conversationId === `conv-${conversation}`).map((item) => item.content);
			expect(sent).toEqual(expected);
		}
		expect(klink.maxInFlight).toBe(3);
		expect(klink.maxInFlightPerKey).toBe(1);
		const output = result.output(KLINK);
		expect(output.map((item) => item.json.conversationId)).toEqual(items.map((item) => item.conversationId));
		expect(output.map((item) => item.pairedItem)).toEqual(items.map((_, index) => ({ item: index })));
	});

	it('keeps one sender’s new-conversation messages in order', async () => {
		klink.answer = async (_req, res) => {
			await delay(10);
			answerJson(res, 200, { ok: true });
		};
		const items = [0, 1, 2, 3].flatMap((n) => [
			{ content: `ann-${n}`, senderId: 'ann', senderName: 'Ann' },
			{ content: `bob-${n}`, senderId: 'bob', senderName: 'Bob' },
		]);
		await send({ options: { concurrency: 5 }, items });
		expect(klink.received.filter((r) => String(r.body.content).startsWith('ann')).map((r) => r.body.content)).toEqual([
			'ann-0',
			'ann-1',
			'ann-2',
			'ann-3',
		]);
		expect(klink.maxInFlight).toBe(2);
		expect(klink.maxInFlightPerKey).toBe(1);
	});

	it('never shows the inbound URL: unreachable klink, error pages that echo it, logs and the execution data', async () => {
		klink.answer = (req, res) => {
			res.writeHead(404, { 'Content-Type': 'text/html' });
			res.end(`<pre>Cannot POST ${req.url}</pre><a href="http://127.0.0.1:${klink.port}${req.url}">retry</a>`);
		};
		const echoedRun = await send({ items: [{ content: 'x', ...john }] });
		const echoed = klinkError(echoedRun);
		expect(echoed.description).toContain('Cannot POST /custom-channel/***');
		expectNoSecret(everythingIn(echoed));
		expectNoSecret(JSON.stringify(echoedRun.run));

		const url = klink.url;
		await klink.stop();
		const refusedRun = await send({ inboundUrl: url, options: { ...fast, maxRetries: 1 }, items: [{ content: 'x', ...john }] });
		const refused = klinkError(refusedRun);
		expect(refused.name).toBe('NodeOperationError');
		expect(refused.message).toBe(
			`Item 0: klink.cloud refused the connection after 2 attempts (http://127.0.0.1:${klink.port}/custom-channel/***)`,
		);
		expect(refused.description).toContain('ECONNREFUSED');
		expectNoSecret(everythingIn(refused));
		expectNoSecret(JSON.stringify(refusedRun.run));

		const inOutput = await send({ inboundUrl: url, continueOnFail: true, options: { ...fast, maxRetries: 0 }, items: [{ content: 'x', ...john }] });
		const [item] = inOutput.json(KLINK);
		expect(item.error).toContain('klink.cloud refused the connection');
		expect(item.description).toContain('ECONNREFUSED');
		expectNoSecret(JSON.stringify(inOutput.run));
		expect(engineLogText()).toContain('attempt 1');
		expectNoSecret(engineLogText());
		klink = await new CustomChannelStandIn(PATH).start();
	});

	it('times out a slow answer and retries it', async () => {
		let calls = 0;
		klink.answer = async (_req, res) => {
			calls += 1;
			if (calls === 1) await delay(500);
			if (!res.destroyed) answerJson(res, 200, { ok: true });
		};
		const result = await send({ options: { ...fast, timeout: 100 }, items: [{ content: 'x', ...john }] });
		expect(result.json(KLINK)[0]).toMatchObject({ statusCode: 200, attempts: 2 });
	});

	it('stops retrying once the execution is cancelled', async () => {
		let firstAnswered: () => void = () => undefined;
		const firstRequest = new Promise<void>((resolve) => (firstAnswered = resolve));
		klink.answer = (_req, res) => {
			answerJson(res, 503, { error: 'busy' });
			firstAnswered();
		};
		const result = await send({
			// Cancelled while the node waits to retry: without the cancel, a second request would come after 5 s.
			cancelWhen: firstRequest,
			// n8n-workflow's sleep cannot be cancelled, only abandoned: its timer runs out on its own later.
			options: { retryDelay: 5000, maxRetryDelay: 5000 },
			items: [{ content: 'x', ...john }],
		});
		expect(result.run.status).toBe('canceled');
		expect(klinkRun(result).error?.message).toContain('cancelled');
		expect(klink.received).toHaveLength(1);
	});

	it.each([
		['empty', '', 'is empty'],
		['plain http to another host', `http://me.klink.cloud${PATH}`, 'must use https'],
		['not a URL', `me.klink.cloud${PATH}`, 'not a valid URL'],
	])('fails clearly, without the secret, when the credential URL is %s', async (_label, inboundUrl, reason) => {
		const failed = await send({ inboundUrl, items: [{ content: 'x', ...john }] });
		const error = klinkError(failed);
		expect(error.message).toContain(reason);
		expectNoSecret(everythingIn(error));
		expectNoSecret(JSON.stringify(failed.run));
		const continued = await send({ inboundUrl, continueOnFail: true, items: [{ content: 'x', ...john }, { content: 'y', ...john }] });
		const output = continued.output(KLINK);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(String(output[0].json.error)).toContain(reason);
	});

	it('rejects an invalid option before sending', async () => {
		const error = klinkError(await send({ options: { concurrency: 0 }, items: [{ content: 'x', ...john }] }));
		expect(error.message).toContain('Concurrency (concurrency) must be a whole number from 1 to 50');
		expect(klink.received).toHaveLength(0);
	});
});
