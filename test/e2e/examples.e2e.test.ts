import { randomUUID } from 'crypto';
import { readdirSync } from 'fs';

import { createDataTable, dataTableParameter, dataTableRows, type DataTableRef } from './harness/dataTables';
import { apiTarget, readState, restartInstance } from './harness/e2eState';
import { deployExample, EXAMPLES_DIR, loadExample, PLACEHOLDER_CREDENTIALS } from './harness/exampleWorkflows';
import { FakeOpenAi, promptText } from './harness/fakeOpenAi';
import { signWithGo } from './harness/goSigner';
import { InboundStandIn } from './harness/inboundStandIn';
import { contactEvent, customChannelMessage, messageInbound, messageOutbound } from './harness/klinkEvents';
import { api, createCredential, listExecutions, nodeOutput, waitForExecutions, waitForWebhookRoute, webhookBase, type ApiTarget, type ExecutionSummary } from './harness/n8nApi';
import { RecordingServer } from './harness/recordingServer';
import { postRaw, TRIGGER_NAME } from './harness/triggerDeploy';

/**
 * The workflows in examples/ imported the way a user would (through the public API instead of a paste),
 * with their placeholder credentials replaced, activated, and driven by signed klink.cloud requests.
 */

const SECRET = 'klink-e2e-examples-signature-secret';
const HEADER = { name: 'Authorization', value: 'Bearer klink-e2e-custom-channel-token' };

const EXAMPLE_FILES = [
	'klink-ai-triage.json',
	'klink-contacts-to-crm.json',
	'klink-custom-channel-bridge.json',
	'klink-to-microsoft-teams.json',
	'klink-unread-to-slack.json',
];

let target: ApiTarget;

beforeAll(() => {
	const state = readState();
	target = apiTarget(state);
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

/** Succeeded, or the failing node's error in the message. */
function expectSucceeded(execution: ExecutionSummary) {
	expect({ status: execution.status, error: execution.data?.resultData.error?.message }).toEqual({ status: 'success', error: undefined });
}

describe('examples', () => {
	it('are n8n exports with a name, fixed trigger webhook ids, placeholder credentials and a setup note', () => {
		expect(EXAMPLE_FILES).toEqual(readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith('.json')).sort());
		for (const file of EXAMPLE_FILES) {
			const example = loadExample(file);
			expect(example.name).toMatch(/^Klink: /);
			const trigger = example.nodes.find((node) => node.type === 'n8n-nodes-klink.klinkTrigger');
			for (const node of example.nodes.filter((n) => n.webhookId !== undefined || n === trigger)) {
				expect(node.webhookId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
			}
			// The note names the klink.cloud feature the example needs.
			const notes = example.nodes.filter((node) => node.type === 'n8n-nodes-base.stickyNote');
			expect(notes).toHaveLength(1);
			expect(String(notes[0].parameters.content)).toMatch(/\*\*(Developer Tools app|Custom Channel)\*\*/);
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

describe('examples/klink-ai-triage.json', () => {
	const URGENT = {
		intent: 'billing',
		urgency: 'high',
		language: 'en',
		summary: 'Charged twice for order 1042, wants a refund today.',
	};
	const ROUTINE = { intent: 'question', urgency: 'low', language: 'th', summary: 'Asks when the shop opens.' };
	// The model answers the way chat models usually do: JSON in a fenced block, picked by the message it got.
	const openAi = new FakeOpenAi({
		finalText: (call) => '```json\n' + JSON.stringify(promptText(call).includes('charged twice') ? URGENT : ROUTINE) + '\n```',
	});
	const crm = new RecordingServer(() => ({ body: { id: 'note-1', created: true } }));
	// Slack's incoming webhooks answer a plain `ok`.
	const slack = new RecordingServer(() => ({ headers: { 'content-type': 'text/html' }, body: 'ok' }));
	const CRM_TOKEN = 'Bearer crm-e2e-api-key';
	const SLACK_PATH = '/services/T0E2E/B0E2E/e2e-incoming-webhook';
	let workflowId: string;
	let url: string;

	beforeAll(async () => {
		await Promise.all([openAi.start(), crm.start(), slack.start()]);
		const klink = await createCredential(target, 'klinkSignatureApi', { signatureSecret: SECRET });
		// `header: false` spelled out: 1.x's schema otherwise wants the custom header's name and value.
		const openAiCredential = await createCredential(target, 'openAiApi', { apiKey: 'sk-e2e-placeholder', url: openAi.baseUrl, header: false });
		const crmKey = await createCredential(target, 'httpHeaderAuth', { name: 'Authorization', value: CRM_TOKEN });
		({ workflowId, url } = await deployExample(target, 'klink-ai-triage.json', {
			credentials: { klinkSignatureApi: klink, openAiApi: openAiCredential, httpHeaderAuth: crmKey },
			parameters: {
				'Add note in CRM': { url: `${crm.origin}/api/notes` },
				'Alert in Slack': { url: `${slack.origin}${SLACK_PATH}` },
			},
		}));
	});

	afterAll(async () => {
		await Promise.all([openAi.stop(), crm.stop(), slack.stop()]);
	});

	it('triages incoming messages, alerts Slack about urgent ones and notes every one in the CRM', async () => {
		const urgent = messageInbound({ channel: 'whatsapp', text: 'I was charged twice for order 1042!! Refund it today please' });
		await expectAnswers((body) => signedPost(url, body), [
			['outgoing message', messageInbound({ direction: 'outgoing' }), false],
			['message.outbound', messageOutbound(), false],
			['contact event', contactEvent('contact.created'), false],
			['urgent customer message', urgent, true],
		]);
		const [first] = await exactlyExecutions(workflowId, 1);
		expectSucceeded(first);

		// The model got the customer's message and channel, and instructions not to answer the customer.
		expect(openAi.modelCalls).toHaveLength(1);
		// Chat Completions: the example turns the Responses API off, whose answers n8n 1.x's extractor cannot parse.
		expect(openAi.modelCalls[0].path).toBe('/v1/chat/completions');
		const prompt = promptText(openAi.modelCalls[0]);
		expect(prompt).toContain('Channel: whatsapp');
		expect(prompt).toContain('I was charged twice for order 1042!! Refund it today please');
		expect(prompt).toContain('You never answer the customer');
		expect(nodeOutput(first, 'Triage with AI')).toEqual([{ output: URGENT }]);

		expect(slack.calls.map((call) => ({ method: call.method, path: call.path, body: call.body }))).toEqual([
			{
				method: 'POST',
				path: SLACK_PATH,
				body: {
					text:
						':rotating_light: Urgent whatsapp message on klink.cloud: Charged twice for order 1042, wants a refund today.\n' +
						`billing, language en, conversation ${urgent.data.roomId}\n` +
						'>I was charged twice for order 1042!! Refund it today please',
				},
			},
		]);
		const urgentNote = {
			externalId: urgent.data.contactId,
			source: 'klink.cloud',
			title: 'klink.cloud whatsapp message: billing, high urgency',
			summary: URGENT.summary,
			language: 'en',
			message: urgent.data.message,
			conversationId: urgent.data.roomId,
			receivedAt: urgent.timestamp,
		};
		expect(crm.calls.map((call) => call.body)).toEqual([urgentNote]);
		expect(crm.calls[0]).toMatchObject({ method: 'POST', path: '/api/notes', headers: { authorization: CRM_TOKEN } });

		// A routine message: a CRM note, no Slack alert.
		const routine = messageInbound({ channel: 'telegram', text: 'สวัสดีครับ ร้านเปิดกี่โมงครับ' });
		await expectAnswers((body) => signedPost(url, body), [['routine customer message', routine, true]]);
		const executions = await exactlyExecutions(workflowId, 2);
		expectSucceeded(executions[1]);
		expect(promptText(openAi.modelCalls[1])).toContain('สวัสดีครับ ร้านเปิดกี่โมงครับ');
		expect(crm.calls.map((call) => call.body)).toEqual([
			urgentNote,
			{
				externalId: routine.data.contactId,
				source: 'klink.cloud',
				title: 'klink.cloud telegram message: question, low urgency',
				summary: ROUTINE.summary,
				language: 'th',
				message: 'สวัสดีครับ ร้านเปิดกี่โมงครับ',
				conversationId: routine.data.roomId,
				receivedAt: routine.timestamp,
			},
		]);
		expect(slack.calls).toHaveLength(1);
		expect(runsOf(executions[1], 'Alert in Slack')).toEqual([]);
	});
});

describe('examples/klink-custom-channel-bridge.json', () => {
	const APP_SECRET = { name: 'X-App-Secret', value: 'app-to-bridge-e2e-secret' };
	const APP_TOKEN = 'Bearer app-api-e2e-key';
	const klinkInbox = new InboundStandIn();
	const app = new RecordingServer(() => ({ body: { delivered: true } }));
	let workflowId: string;
	let klinkUrl: string;
	let appWebhook: string;
	let executionCount = 0;
	let table: DataTableRef;

	const mai = { customerId: 'cust-42', customerName: 'Mai Tran' };
	const ko = { customerId: 'cust-77', customerName: 'Ko Aung' };
	let sequence = 0;

	/** The app posting a customer's message to the bridge, as its backend would; returns the bridge's answer. */
	async function customerWrites(customer: typeof mai, text: string) {
		const message = { ...customer, messageId: `app-msg-${++sequence}-${randomUUID()}`, text, sentAt: new Date(Date.now() - 1000).toISOString() };
		const answer = await postRaw(appWebhook, JSON.stringify(message), { [APP_SECRET.name]: APP_SECRET.value });
		expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: expect.any(String) });
		await waitForExecutions(target, workflowId, ++executionCount);
		return { message, answer: JSON.parse(answer.body) as Record<string, unknown> };
	}

	/** klink.cloud calling the Custom Channel's outbound webhook (the Klink Trigger). */
	async function klinkSends(event: unknown) {
		const answer = await postRaw(klinkUrl, JSON.stringify(event), { [HEADER.name]: HEADER.value });
		expect({ status: answer.status, started: JSON.parse(answer.body).started }).toEqual({ status: 200, started: true });
		const executions = await waitForExecutions(target, workflowId, ++executionCount);
		return executions[executions.length - 1];
	}

	const lastPosted = () => klinkInbox.requests[klinkInbox.requests.length - 1].body;

	beforeAll(async () => {
		await Promise.all([klinkInbox.start(), app.start()]);
		const header = await createCredential(target, 'klinkHeaderAuthApi', HEADER);
		const customChannel = await createCredential(target, 'klinkCustomChannelApi', { inboundUrl: klinkInbox.url });
		const appApi = await createCredential(target, 'httpHeaderAuth', { name: 'Authorization', value: APP_TOKEN });
		const appSecret = await createCredential(target, 'httpHeaderAuth', APP_SECRET);
		// The setup note's first step: a data table for the map, picked in the four Data table nodes.
		table = await createDataTable(target, `klink_bridge_conversations_e2e_${Date.now()}`, ['customerId', 'customerName', 'conversationId']);
		({ workflowId, url: klinkUrl } = await deployExample(target, 'klink-custom-channel-bridge.json', {
			credentials: { klinkHeaderAuthApi: header, klinkCustomChannelApi: customChannel, httpHeaderAuth: appApi },
			nodeCredentials: { 'Customer message from app': { httpHeaderAuth: appSecret } },
			parameters: {
				...Object.fromEntries(
					['Find conversation', 'Learn conversation', 'Find customer', 'Forget conversation'].map((node) => [node, { dataTableId: dataTableParameter(table) }]),
				),
				'Deliver reply to app': { url: `${app.origin}/klink/agent-replies` },
				'Tell app conversation closed': { url: `${app.origin}/klink/conversation-closed` },
			},
		}));
		appWebhook = new URL('/webhook/klink-bridge/customer-message', webhookBase(target)).toString();
		await waitForWebhookRoute(appWebhook);
	});

	afterAll(async () => {
		await Promise.all([klinkInbox.stop(), app.stop()]);
	});

	it('carries customer messages into klink and agent replies and closings back to the app, remembering conversations across a restart', async () => {
		// Only the app, with its secret, can post as a customer.
		expect((await postRaw(appWebhook, JSON.stringify({ ...mai, text: 'hi' }), { [APP_SECRET.name]: 'wrong' })).status).toBe(403);
		expect(klinkInbox.requests).toEqual([]);

		// 1. Mai's first message starts a new conversation in klink, posted as Mai (the customer), not as an agent.
		const first = await customerWrites(mai, 'Hello, my parcel has not arrived');
		expect(klinkInbox.requests.map((request) => request.body)).toEqual([
			{
				messageId: first.message.messageId,
				content: 'Hello, my parcel has not arrived',
				sender: { id: 'cust-42', name: 'Mai Tran' },
				timestamp: Date.parse(first.message.sentAt),
				type: 'text',
			},
		]);
		expect(first.answer).toMatchObject({ messageId: first.message.messageId, conversationId: null, statusCode: 200, attempts: 1 });
		await customerWrites(ko, 'Do you ship to Mandalay?');
		expect(lastPosted()).not.toHaveProperty('conversationId');

		// 2. klink reports the new conversations (message.received, with the customer's ID as sender). Nothing
		// goes back to the app: the customer wrote these.
		const maiConversation = randomUUID();
		const koConversation = randomUUID();
		const maiEcho = customChannelMessage('message.received');
		Object.assign(maiEcho, { conversationId: maiConversation });
		Object.assign(maiEcho.message, { content: 'Hello, my parcel has not arrived', sender: { role: 'customer', id: 'cust-42', name: 'Mai Tran' } });
		const learnt = await klinkSends(maiEcho);
		expectSucceeded(learnt);
		const learntRows = (execution: ExecutionSummary) =>
			nodeOutput(execution, 'Learn conversation').map(({ customerId, customerName, conversationId }) => ({ customerId, customerName, conversationId }));
		expect(learntRows(learnt)).toEqual([{ customerId: 'cust-42', customerName: 'Mai Tran', conversationId: maiConversation }]);
		const koEcho = {
			event: 'message.received',
			conversationId: koConversation,
			message: { id: randomUUID(), content: 'Do you ship to Mandalay?', sender: { role: 'customer', id: 'cust-77', name: 'Ko Aung' }, timestamp: Date.now() },
		};
		expect(learntRows(await klinkSends(koEcho))).toEqual([{ customerId: 'cust-77', customerName: 'Ko Aung', conversationId: koConversation }]);
		expect(app.calls).toEqual([]);
		// klink's retry of a report is recognised: no node of the workflow uses static data, so the trigger keeps
		// its record of seen deliveries there.
		const retry = await postRaw(klinkUrl, JSON.stringify(maiEcho), { [HEADER.name]: HEADER.value });
		expect(JSON.parse(retry.body)).toEqual({ received: true, started: false, reason: 'duplicate delivery' });

		// 3. Their next messages continue their own conversations.
		await customerWrites(mai, 'Order 1042');
		expect(lastPosted()).toMatchObject({ content: 'Order 1042', sender: { id: 'cust-42', name: 'Mai Tran' }, conversationId: maiConversation });
		await customerWrites(ko, 'To 73rd street');
		expect(lastPosted()).toMatchObject({ sender: { id: 'cust-77', name: 'Ko Aung' }, conversationId: koConversation });

		// 4. The memory is in n8n's database: it survives a restart, and so does the trigger's record.
		const restarted = await restartInstance();
		target = { ...target, baseUrl: restarted.baseUrl };
		await waitForWebhookRoute(appWebhook);
		await waitForWebhookRoute(klinkUrl);
		const retryAfterRestart = await postRaw(klinkUrl, JSON.stringify(maiEcho), { [HEADER.name]: HEADER.value });
		expect(JSON.parse(retryAfterRestart.body)).toEqual({ received: true, started: false, reason: 'duplicate delivery' });
		await customerWrites(mai, 'Any news?');
		expect(lastPosted()).toMatchObject({ content: 'Any news?', conversationId: maiConversation });

		// 5. An agent's reply in klink (message.sent) is delivered to the app for Mai.
		const reply = {
			event: 'message.sent',
			conversationId: maiConversation,
			message: { content: 'Your parcel left our warehouse today.', sender: { role: 'agent', name: 'Support Agent' }, timestamp: Date.now() },
		};
		const delivered = await klinkSends(reply);
		expectSucceeded(delivered);
		expect(app.calls.map((call) => ({ method: call.method, path: call.path, authorization: call.headers.authorization, body: call.body }))).toEqual([
			{
				method: 'POST',
				path: '/klink/agent-replies',
				authorization: APP_TOKEN,
				body: {
					customerId: 'cust-42',
					conversationId: maiConversation,
					text: 'Your parcel left our warehouse today.',
					agentName: 'Support Agent',
					sentAt: reply.message.timestamp,
				},
			},
		]);
		// A reply in a conversation the bridge does not know has nobody to go to.
		const stray = await klinkSends({ ...reply, conversationId: randomUUID() });
		expect(nodeOutput(stray, 'Find customer')).toEqual([]);
		expect(app.calls).toHaveLength(1);

		// 6. The agent closes Mai's conversation: the app is told, and Mai's next message starts a new one.
		const closed = { event: 'conversation.closed', conversationId: maiConversation, timestamp: Date.now() };
		await klinkSends(closed);
		expect(app.calls.slice(1).map((call) => ({ path: call.path, authorization: call.headers.authorization, body: call.body }))).toEqual([
			{ path: '/klink/conversation-closed', authorization: APP_TOKEN, body: { customerId: 'cust-42', conversationId: maiConversation, closedAt: closed.timestamp } },
		]);
		await customerWrites(mai, 'I have another question');
		expect(lastPosted()).toMatchObject({ content: 'I have another question', sender: { id: 'cust-42' } });
		expect(lastPosted()).not.toHaveProperty('conversationId');
		await customerWrites(ko, 'Thanks');
		expect(lastPosted()).toMatchObject({ content: 'Thanks', conversationId: koConversation });

		// Every execution succeeded; the app received exactly the reply and the closing.
		const executions = await exactlyExecutions(workflowId, executionCount);
		expect(executions.map((execution) => execution.status)).toEqual(executions.map(() => 'success'));
		expect(app.calls).toHaveLength(2);
		expect(klinkInbox.requests.map((request) => request.status)).toEqual(klinkInbox.requests.map(() => 200));
		// The map in the data table: Mai's closed conversation forgotten, Ko's kept.
		expect((await dataTableRows(target, table)).map(({ customerId, conversationId }) => ({ customerId, conversationId }))).toEqual([
			{ customerId: 'cust-77', conversationId: koConversation },
		]);
		const { staticData } = await api<{ staticData?: Record<string, Record<string, unknown> | undefined> }>(target, 'GET', `/workflows/${workflowId}`);
		expect(staticData?.global).toBeUndefined();
		expect(staticData?.[`node:${TRIGGER_NAME}`]).toHaveProperty('seenRecord');
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
