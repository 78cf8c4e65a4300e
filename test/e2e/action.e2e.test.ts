import { deployActionWorkflow, sendItems, type MessageInput } from './harness/actionDeploy';
import { apiTarget, readN8nLogs, readState } from './harness/e2eState';
import { InboundStandIn } from './harness/inboundStandIn';
import { createCredential, listExecutions, type ApiTarget } from './harness/n8nApi';

let target: ApiTarget;
const standIn = new InboundStandIn();
let credential: { id: string; name: string };
const workflowIds: string[] = [];

type OutputItem = Record<string, unknown> & { messageId?: string; conversationId?: string; error?: unknown };

beforeAll(async () => {
	const state = readState();
	target = apiTarget(state);
	await standIn.start();
	credential = await createCredential(target, 'klinkCustomChannelApi', { inboundUrl: standIn.url });
});

afterAll(async () => {
	await standIn.stop();
});

beforeEach(() => {
	standIn.reset();
	standIn.delayMs = 0;
});

async function deploy(name: string, settings: Parameters<typeof deployActionWorkflow>[3] = {}) {
	const deployed = await deployActionWorkflow(target, name, credential, settings);
	workflowIds.push(deployed.workflowId);
	standIn.reset();
	return deployed.url;
}

const john = { senderId: 'user-123', senderName: 'John Doe' };

describe('Klink node sending into a Custom Channel', () => {
	it('posts the documented body, starting a conversation or continuing one', async () => {
		const url = await deploy('send basic');
		const before = Date.now();
		const result = await sendItems(url, [
			{ content: 'Hello from our custom platform', ...john },
			{ content: 'Following up on the issue', ...john, conversationId: 'ca7de328-32da-4468-bae0-872e94f56be0', messageId: 'msg-002' },
		]);
		expect(result.status).toBe(200);
		const output = result.body as OutputItem[];
		expect(output).toHaveLength(2);

		const bodies = standIn.requests.map((r) => r.body);
		expect(bodies).toHaveLength(2);
		const [started, continued] = [bodies.find((b) => b.content === 'Hello from our custom platform')!, bodies.find((b) => b.messageId === 'msg-002')!];
		expect(Object.keys(started).sort()).toEqual(['content', 'messageId', 'sender', 'timestamp', 'type']);
		expect(started).toMatchObject({ content: 'Hello from our custom platform', sender: { id: 'user-123', name: 'John Doe' }, type: 'text' });
		expect(typeof started.messageId).toBe('string');
		expect(started.timestamp).toBeGreaterThanOrEqual(before - 1000);
		expect(started.timestamp).toBeLessThanOrEqual(Date.now() + 1000);
		expect(continued).toEqual({
			messageId: 'msg-002',
			content: 'Following up on the issue',
			sender: { id: 'user-123', name: 'John Doe' },
			timestamp: expect.any(Number),
			type: 'text',
			conversationId: 'ca7de328-32da-4468-bae0-872e94f56be0',
		});
		expect(standIn.requests.every((r) => r.headers['content-type']?.startsWith('application/json'))).toBe(true);

		expect(output[0]).toMatchObject({ messageId: started.messageId });
		expect(output[1]).toMatchObject({ messageId: 'msg-002', conversationId: 'ca7de328-32da-4468-bae0-872e94f56be0' });
	});

	it('retries 429, 5xx and dropped connections, and never records a message twice', async () => {
		const url = await deploy('send retries', { options: { maxRetries: 3 } });
		const items: MessageInput[] = [
			{ content: 'rate limited [429]', ...john, conversationId: 'c-1' },
			{ content: 'server error [500]', ...john, conversationId: 'c-2' },
			{ content: 'connection dropped [drop]', ...john, conversationId: 'c-3' },
			{ content: 'slow answer [slow]', ...john, conversationId: 'c-4' },
		];
		const started = Date.now();
		const result = await sendItems(url, items);
		expect(result.status).toBe(200);
		const output = result.body as OutputItem[];
		expect(output.map((o) => o.error)).toEqual([undefined, undefined, undefined, undefined]);

		const attemptsByContent = (content: string) => standIn.requests.filter((r) => r.body.content === content).map((r) => r.status);
		expect(attemptsByContent('rate limited [429]')).toEqual([429, 200]);
		expect(attemptsByContent('server error [500]')).toEqual([500, 500, 200]);
		expect(attemptsByContent('connection dropped [drop]')).toEqual([0, 200]);
		expect(attemptsByContent('slow answer [slow]')).toEqual([200]);
		// Retry-After: 1 was honoured before the second 429 attempt.
		const rateLimited = standIn.requests.filter((r) => r.body.content === 'rate limited [429]');
		expect(rateLimited[1].at - rateLimited[0].at).toBeGreaterThanOrEqual(950);
		// Every message id reached 200 exactly once, with the same id on every attempt.
		const okPerId = new Map<string, number>();
		for (const r of standIn.requests.filter((r) => r.status === 200)) okPerId.set(String(r.body.messageId), (okPerId.get(String(r.body.messageId)) ?? 0) + 1);
		expect([...okPerId.values()]).toEqual([1, 1, 1, 1]);
		expect(new Set(standIn.requests.filter((r) => r.body.content === 'server error [500]').map((r) => r.body.messageId)).size).toBe(1);
		console.log(`retries run took ${Date.now() - started} ms`);
	});

	it('keeps each conversation in input order while conversations go out in parallel', async () => {
		const url = await deploy('send order', { options: { concurrency: 4 } });
		standIn.delayMs = 80;
		const items: MessageInput[] = [];
		for (let n = 0; n < 6; n++) for (const conversation of ['a', 'b', 'c', 'd']) items.push({ content: `${conversation}-${n}`, ...john, conversationId: `conv-${conversation}` });
		const result = await sendItems(url, items);
		expect(result.status).toBe(200);

		for (const conversation of ['a', 'b', 'c', 'd']) {
			const sent = standIn.requests.filter((r) => r.body.conversationId === `conv-${conversation}`).map((r) => r.body.content);
			expect(sent).toEqual([0, 1, 2, 3, 4, 5].map((n) => `${conversation}-${n}`));
		}
		expect(standIn.maxInFlight).toBeGreaterThan(1);
		expect(standIn.maxInFlight).toBeLessThanOrEqual(4);
		// Output order is input order.
		expect((result.body as OutputItem[]).map((o) => o.conversationId)).toEqual(items.map((i) => i.conversationId));
	});

	it('fails a bad item clearly, naming the item and the field, before sending anything', async () => {
		const url = await deploy('send invalid');
		const result = await sendItems(url, [
			{ content: 'fine', ...john },
			{ content: '   ', ...john },
		]);
		expect(result.status).toBeGreaterThanOrEqual(500);
		expect(standIn.requests).toHaveLength(0);
		const [failed] = (await listExecutions(target, workflowIds[workflowIds.length - 1])).filter((e) => e.status === 'error');
		const error = JSON.stringify(failed.data?.resultData.error ?? {});
		expect(error).toMatch(/Content/);
		expect(error).toMatch(/item 1\b|item index 1|\[item 1\]/i);
	});

	it('with Continue On Fail, reports bad items in their place and still sends the good ones', async () => {
		const url = await deploy('send continue on fail', { onError: 'continueRegularOutput' });
		const result = await sendItems(url, [
			{ content: 'first good', ...john, conversationId: 'k-1' },
			{ content: 'no sender name', senderId: 'user-9', senderName: '', conversationId: 'k-2' },
			{ content: 'second good', ...john, conversationId: 'k-3' },
			{ content: 'refused by klink [400]', ...john, conversationId: 'k-4' },
		]);
		expect(result.status).toBe(200);
		const output = result.body as OutputItem[];
		expect(output).toHaveLength(4);
		expect(output[0].error).toBeUndefined();
		expect(JSON.stringify(output[1].error)).toMatch(/Sender Name/);
		expect(output[2].error).toBeUndefined();
		expect(JSON.stringify(output[3].error)).toMatch(/400/);
		expect(standIn.requests.filter((r) => r.status === 200).map((r) => r.body.content).sort()).toEqual(['first good', 'second good']);
		expect(standIn.requests.filter((r) => r.status === 400)).toHaveLength(1);
	});

	it('never shows the inbound URL in execution data or n8n logs', async () => {
		const secretParts = standIn.secretPath.split('/').filter((part) => part.length > 20);
		expect(secretParts).toHaveLength(2);
		const everything = JSON.stringify(await Promise.all(workflowIds.map((id) => listExecutions(target, id))));
		expect(everything.length).toBeGreaterThan(1000);
		// Queue mode: every n8n process's log (main, webhook processes, workers).
		const log = readN8nLogs();
		for (const part of secretParts) {
			expect(everything).not.toContain(part);
			expect(log).not.toContain(part);
		}
	});
});
