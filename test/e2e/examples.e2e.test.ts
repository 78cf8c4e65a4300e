import { randomUUID } from 'crypto';

import { readState } from './harness/e2eState';
import { deployExample, loadExample, PLACEHOLDER_CREDENTIALS } from './harness/exampleWorkflows';
import { FakeOpenAi, offeredTools, promptText } from './harness/fakeOpenAi';
import { signWithGo } from './harness/goSigner';
import { InboundStandIn } from './harness/inboundStandIn';
import { contactEvent, customChannelMessage, messageInbound, messageOutbound } from './harness/klinkEvents';
import { createCredential, listExecutions, nodeOutput, waitForExecutions, type ApiTarget, type ExecutionSummary } from './harness/n8nApi';
import { RecordingServer } from './harness/recordingServer';
import { postRaw, TRIGGER_NAME } from './harness/triggerDeploy';

/**
 * The workflows in examples/ imported the way a user would (through the public API instead of a paste),
 * with their placeholder credentials replaced, activated, and driven by signed klink.cloud requests.
 */

const SECRET = 'klink-e2e-examples-signature-secret';
const HEADER = { name: 'Authorization', value: 'Bearer klink-e2e-custom-channel-token' };

let target: ApiTarget;

beforeAll(() => {
	const state = readState();
	target = { baseUrl: state.baseUrl, apiKey: state.apiKey, major: state.major };
});

interface NodeRun {
	error?: { message?: string; name?: string; description?: string; [key: string]: unknown };
	source?: Array<{ previousNode: string } | null>;
	data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> };
}

function runsOf(execution: ExecutionSummary, nodeName: string): NodeRun[] {
	const runData = execution.data?.resultData.runData as Record<string, NodeRun[]> | undefined;
	return runData?.[nodeName] ?? [];
}

async function signedPost(url: string, body: unknown) {
	const raw = JSON.stringify(body);
	return await postRaw(url, raw, { 'x-signature': signWithGo({ secret: SECRET, url, body: raw }) });
}

/** Posts each event and expects the trigger's answer: 200, and whether it started an execution. */
async function expectAnswers(send: (body: unknown) => ReturnType<typeof postRaw>, cases: Array<[string, unknown, boolean]>) {
	for (const [what, body, started] of cases) {
		const result = await send(body);
		expect({ what, status: result.status, started: JSON.parse(result.body).started }).toEqual({ what, status: 200, started });
	}
}

/** Waits for `count` executions, then checks that no more arrive (a filtered event would show up here). */
async function exactlyExecutions(workflowId: string, count: number): Promise<ExecutionSummary[]> {
	const executions = await waitForExecutions(target, workflowId, count);
	await new Promise((resolve) => setTimeout(resolve, 750));
	expect(await listExecutions(target, workflowId)).toHaveLength(count);
	return executions;
}

/**
 * A node that calls a service on the internet (Teams, Slack) fails here, as it must without real accounts.
 * What matters is that the execution reached it with the trigger's item, and that it failed on the call
 * itself rather than on one of its parameters: those are all read before the request is made.
 */
function expectReachedAndFailedOnTheCall(execution: ExecutionSummary, nodeName: string) {
	const [run] = runsOf(execution, nodeName);
	expect(run).toBeDefined();
	expect(run.source?.[0]?.previousNode).toBe(TRIGGER_NAME);
	expect(run.error).toBeDefined();
	// Offline the host does not resolve; with internet access the placeholder token is refused.
	expect(run.error?.message).toMatch(/connection cannot be established|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|Authorization failed|invalid_auth|not_authed|401|403/i);
	const error = JSON.stringify(run.error);
	expect(error).not.toMatch(/ExpressionError|invalid syntax|is not defined|Cannot read properties|can't get data|Parameter .* is required/i);
	expect(execution.status).toBe('error');
	return run.error!;
}

describe('examples', () => {
	it('are n8n exports with a name, fixed trigger webhook ids and placeholder credentials', () => {
		for (const file of ['klink-to-microsoft-teams.json', 'klink-unread-to-slack.json', 'klink-ai-agent-reply.json', 'klink-contacts-to-crm.json']) {
			const example = loadExample(file);
			expect(example.name).toMatch(/^Klink: /);
			const trigger = example.nodes.find((node) => node.type === 'n8n-nodes-klink.klinkTrigger');
			expect(trigger?.webhookId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
			for (const node of example.nodes) {
				expect(node.id).toMatch(/^[0-9a-f-]{36}$/);
				for (const reference of Object.values(node.credentials ?? {})) expect(reference.id).toMatch(/^REPLACE_WITH_/);
			}
			for (const [from, outputs] of Object.entries(example.connections)) {
				const names = [from, ...Object.values(outputs).flat(2).map((c) => c.node)];
				for (const name of names) expect(example.nodes.map((node) => node.name)).toContain(name);
			}
		}
	});
});

describe('examples/klink-to-microsoft-teams.json', () => {
	const TEAMS = 'Post to Teams channel';
	let workflowId: string;
	let url: string;

	beforeAll(async () => {
		const klink = await createCredential(target, 'klinkSignatureApi', { signatureSecret: SECRET });
		const teams = await createCredential(target, 'microsoftTeamsOAuth2Api', PLACEHOLDER_CREDENTIALS.microsoftTeamsOAuth2Api);
		({ workflowId, url } = await deployExample(target, 'klink-to-microsoft-teams.json', {
			credentials: { klinkSignatureApi: klink, microsoftTeamsOAuth2Api: teams },
			// What the user picks from the lists after importing the example.
			parameters: {
				[TEAMS]: {
					teamId: { __rl: true, mode: 'id', value: randomUUID() },
					channelId: { __rl: true, mode: 'id', value: '19:e2e-klink-alerts@thread.tacv2' },
				},
			},
		}));
	});

	it('sends incoming WhatsApp and Telegram messages on to Teams and nothing else', async () => {
		const telegram = messageInbound({ channel: 'telegram', text: 'Where is my parcel?' });
		await expectAnswers((body) => signedPost(url, body), [
			['facebook message', messageInbound({ channel: 'facebook' }), false],
			['outgoing whatsapp message', messageInbound({ direction: 'outgoing' }), false],
			['message.outbound', messageOutbound(), false],
			['contact event', contactEvent('contact.created'), false],
			['incoming telegram message', telegram, true],
		]);
		const [execution] = await exactlyExecutions(workflowId, 1);
		expect(nodeOutput(execution, TRIGGER_NAME)).toEqual([
			{
				event: 'message.inbound',
				messageId: telegram.data.id,
				conversationId: telegram.data.roomId,
				contactId: telegram.data.contactId,
				channel: 'telegram',
				direction: 'incoming',
				text: 'Where is my parcel?',
				sender: null,
				unreadCount: 1,
				isGroup: false,
				isAiAgentRoom: false,
				timestamp: telegram.timestamp,
			},
		]);
		const error = expectReachedAndFailedOnTheCall(execution, TEAMS);
		console.log(`n8n ${target.major}.x, ${TEAMS} failed as expected without a Microsoft account: ${error.message}`);

		expect((await signedPost(url, messageInbound({ channel: 'whatsapp', text: 'second' }))).status).toBe(200);
		const executions = await exactlyExecutions(workflowId, 2);
		expect(nodeOutput(executions[1], TRIGGER_NAME)[0]).toMatchObject({ channel: 'whatsapp', text: 'second' });
		expect(runsOf(executions[1], TEAMS)).toHaveLength(1);
	});
});

describe('examples/klink-unread-to-slack.json', () => {
	const SLACK = 'Alert in Slack';
	let workflowId: string;
	let url: string;

	beforeAll(async () => {
		const klink = await createCredential(target, 'klinkSignatureApi', { signatureSecret: SECRET });
		const slack = await createCredential(target, 'slackApi', PLACEHOLDER_CREDENTIALS.slackApi);
		({ workflowId, url } = await deployExample(target, 'klink-unread-to-slack.json', {
			credentials: { klinkSignatureApi: klink, slackApi: slack },
		}));
	});

	it('alerts Slack once a conversation has 5 or more unread messages', async () => {
		const piledUp = messageInbound({ channel: 'livechat', unreadCount: 7, text: 'Hello?? Anyone there?' });
		await expectAnswers((body) => signedPost(url, body), [
			['1 unread', messageInbound({ unreadCount: 1 }), false],
			['4 unread', messageInbound({ unreadCount: 4 }), false],
			['7 unread but outgoing', messageInbound({ unreadCount: 7, direction: 'outgoing' }), false],
			['7 unread', piledUp, true],
		]);
		const [execution] = await exactlyExecutions(workflowId, 1);
		expect(nodeOutput(execution, TRIGGER_NAME)).toEqual([
			expect.objectContaining({
				event: 'message.inbound',
				channel: 'livechat',
				unreadCount: 7,
				text: 'Hello?? Anyone there?',
				conversationId: piledUp.data.roomId,
				contactId: piledUp.data.contactId,
			}),
		]);
		const error = expectReachedAndFailedOnTheCall(execution, SLACK);
		console.log(`n8n ${target.major}.x, ${SLACK} failed as expected without a Slack workspace: ${error.message}`);

		expect((await signedPost(url, messageInbound({ unreadCount: 5 }))).status).toBe(200);
		const executions = await exactlyExecutions(workflowId, 2);
		expect(nodeOutput(executions[1], TRIGGER_NAME)[0].unreadCount).toBe(5);
	});
});

describe('examples/klink-ai-agent-reply.json', () => {
	const REPLY = 'Sorry about the delay, John! Your order ships today and arrives in 2 days.';
	const FINAL = 'Replied to the customer in klink.cloud.';
	const inbound = new InboundStandIn();
	const openAi = new FakeOpenAi({ toolPattern: /klink/i, reply: REPLY, finalText: FINAL });
	let workflowId: string;
	let url: string;
	const send = (body: unknown) => postRaw(url, JSON.stringify(body), { [HEADER.name]: HEADER.value });

	beforeAll(async () => {
		await inbound.start();
		await openAi.start();
		const header = await createCredential(target, 'klinkHeaderAuthApi', HEADER);
		const customChannel = await createCredential(target, 'klinkCustomChannelApi', { inboundUrl: inbound.url });
		// `header: false` spelled out: 1.x's schema otherwise wants the custom header's name and value.
		const openAiCredential = await createCredential(target, 'openAiApi', { apiKey: 'sk-e2e-placeholder', url: openAi.baseUrl, header: false });
		({ workflowId, url } = await deployExample(target, 'klink-ai-agent-reply.json', {
			credentials: { klinkHeaderAuthApi: header, klinkCustomChannelApi: customChannel, openAiApi: openAiCredential },
		}));
	});

	afterAll(async () => {
		await inbound.stop();
		await openAi.stop();
	});

	it('answers a customer through the Klink tool, into the same conversation', async () => {
		const received = customChannelMessage('message.received');
		expect((await postRaw(url, JSON.stringify(received), { [HEADER.name]: 'Bearer wrong' })).status).toBe(401);
		await expectAnswers(send, [
			['agent reply (message.sent)', customChannelMessage('message.sent'), false],
			['conversation.created', { event: 'conversation.created', conversationId: received.conversationId, timestamp: Date.now() }, false],
			['customer message', received, true],
		]);
		const [execution] = await exactlyExecutions(workflowId, 1);
		expect(execution.status).toBe('success');
		expect(nodeOutput(execution, TRIGGER_NAME)).toEqual([
			expect.objectContaining({
				event: 'message.received',
				channel: 'custom',
				direction: 'incoming',
				conversationId: received.conversationId,
				text: 'My order has not arrived',
				sender: { id: 'user-123', name: 'John Doe', role: 'customer' },
			}),
		]);
		expect(nodeOutput(execution, 'Skip own replies')).toHaveLength(1);

		// The model got the customer's text, the system message with their name, and the Klink tool.
		const calls = openAi.modelCalls;
		expect(calls.length).toBeGreaterThanOrEqual(2);
		expect(promptText(calls[0])).toContain('My order has not arrived');
		expect(promptText(calls[0])).toContain("The customer's name is John Doe");
		const tool = offeredTools(calls[0]).find((t) => /klink/i.test(t.name));
		expect(tool).toMatchObject({ name: 'Reply_in_klink' });
		expect(Object.keys(tool?.parameters?.properties ?? {})).toEqual(['content']);
		console.log(`n8n ${target.major}.x offered the model the tool ${JSON.stringify(tool)} via ${calls[0].path}`);

		// The Klink tool posted the model's answer into klink.cloud, continuing the customer's conversation.
		expect(inbound.requests.map((request) => request.body)).toEqual([
			{
				messageId: expect.any(String),
				content: REPLY,
				sender: { id: 'n8n-ai-agent', name: 'AI Assistant' },
				timestamp: expect.any(Number),
				type: 'text',
				conversationId: received.conversationId,
			},
		]);
		expect(nodeOutput(execution, 'AI Agent')).toEqual([expect.objectContaining({ output: FINAL })]);
	});

	it('does not answer its own replies', async () => {
		const before = (await listExecutions(target, workflowId)).length;
		inbound.reset();
		const ownReply = customChannelMessage('message.received');
		ownReply.message.sender = { role: 'customer', name: 'AI Assistant', id: 'n8n-ai-agent' };
		await expectAnswers(send, [['the agent’s own reply echoed back', ownReply, true]]);
		const executions = await exactlyExecutions(workflowId, before + 1);
		const last = executions[executions.length - 1];
		expect(nodeOutput(last, TRIGGER_NAME)[0].sender).toEqual({ id: 'n8n-ai-agent', name: 'AI Assistant', role: 'customer' });
		expect(nodeOutput(last, 'Skip own replies')).toEqual([]);
		expect(runsOf(last, 'AI Agent')).toEqual([]);
		expect(inbound.requests).toEqual([]);
	});
});

describe('examples/klink-contacts-to-crm.json', () => {
	const crm = new RecordingServer((call) => ({ body: { id: `crm-${(call.body as { externalId?: string }).externalId}`, upserted: true } }));
	const CRM_TOKEN = 'Bearer crm-e2e-api-key';
	let workflowId: string;
	let url: string;

	beforeAll(async () => {
		await crm.start();
		const klink = await createCredential(target, 'klinkSignatureApi', { signatureSecret: SECRET });
		const crmKey = await createCredential(target, 'httpHeaderAuth', { name: 'Authorization', value: CRM_TOKEN });
		({ workflowId, url } = await deployExample(target, 'klink-contacts-to-crm.json', {
			credentials: { klinkSignatureApi: klink, httpHeaderAuth: crmKey },
			parameters: { 'Upsert contact in CRM': { url: `${crm.origin}/api/contacts/upsert` } },
		}));
	});

	afterAll(async () => {
		await crm.stop();
	});

	it('upserts a created and then updated contact into one CRM record', async () => {
		const created = contactEvent('contact.created');
		const updated = {
			...created,
			event: 'contact.updated' as const,
			timestamp: new Date(Date.now() + 1000).toISOString(),
			data: { ...created.data, name: 'Aye Chan Oo', email: 'aye.chan@example.com', updatedAt: new Date(Date.now() + 1000).toISOString() },
		};
		await expectAnswers((body) => signedPost(url, body), [
			['message event', messageInbound(), false],
			['contact created', created, true],
		]);
		await waitForExecutions(target, workflowId, 1);
		await expectAnswers((body) => signedPost(url, body), [['contact updated', updated, true]]);
		const executions = await exactlyExecutions(workflowId, 2);
		expect(executions.map((e) => e.status)).toEqual(['success', 'success']);

		expect(nodeOutput(executions[0], TRIGGER_NAME)[0]).toMatchObject({
			event: 'contact.created',
			contactId: created.data.id,
			messageId: null,
			body: created,
		});
		expect(crm.calls).toHaveLength(2);
		for (const call of crm.calls) {
			expect(call.method).toBe('POST');
			expect(call.path).toBe('/api/contacts/upsert');
			expect(call.headers.authorization).toBe(CRM_TOKEN);
			expect(call.headers['content-type']).toMatch(/^application\/json/);
		}
		expect(crm.calls.map((call) => call.body)).toEqual([
			{
				externalId: created.data.id,
				source: 'klink.cloud',
				event: 'contact.created',
				name: 'Aye Chan',
				phone: '+95 9 123 456 789',
				tags: ['vip'],
				updatedAt: created.data.updatedAt,
				klinkContact: created.data,
			},
			{
				externalId: created.data.id,
				source: 'klink.cloud',
				event: 'contact.updated',
				name: 'Aye Chan Oo',
				phone: '+95 9 123 456 789',
				email: 'aye.chan@example.com',
				tags: ['vip'],
				updatedAt: updated.data.updatedAt,
				klinkContact: updated.data,
			},
		]);
		expect(nodeOutput(executions[1], 'Upsert contact in CRM')).toEqual([{ id: `crm-${created.data.id}`, upserted: true }]);
	});
});
