import { randomUUID } from 'crypto';

import { apiTarget, readState, restartInstance } from './harness/e2eState';
import { createDataTable, dataTableParameter, dataTableRows, type DataTableRef } from './harness/dataTables';
import { deployExample } from './harness/exampleWorkflows';
import { InboundStandIn } from './harness/inboundStandIn';
import { api, countExecutions, createCredential, deactivateWorkflow, waitForWebhookRoute, webhookBase, type ApiTarget, type WorkflowNode } from './harness/n8nApi';
import { RecordingServer } from './harness/recordingServer';
import { postRaw, TRIGGER_NAME } from './harness/triggerDeploy';
import { bridgeEvents, type BridgeCustomer as Customer } from '../support/bridgeEvents';

/**
 * The two-way Custom Channel example under concurrency, in a real n8n: 50 customers start conversations
 * through the app side at once while klink.cloud reports them and agents reply through the Klink Trigger, all
 * interleaved; then n8n restarts and the same 50 continue their conversations. The bridge keeps its map in an
 * n8n data table: every reply reaches the right customer, none is lost or doubled, and the trigger's record of
 * seen deliveries is saved in static data beside it (nothing else uses static data), so klink's retries are
 * still recognised after the restart.
 */

const FILE = 'klink-custom-channel-bridge.json';
const CUSTOMERS = 50;
const TABLE_COLUMNS = ['customerId', 'customerName', 'conversationId'];
const KLINK_HEADER = { name: 'Authorization', value: 'Bearer klink-e2e-bridge-concurrency-token' };
const APP_SECRET = { name: 'X-App-Secret', value: 'app-to-bridge-e2e-concurrency-secret' };
const DATA_TABLE_NODES = ['Find conversation', 'Learn conversation', 'Find customer', 'Forget conversation'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let target: ApiTarget;

beforeAll(() => {
	target = apiTarget(readState());
});

describe(`examples/${FILE} under concurrency`, () => {
	const klinkInbox = new InboundStandIn();
	const app = new RecordingServer(() => ({ body: { delivered: true } }));
	const customers: Customer[] = Array.from({ length: CUSTOMERS }, (_, index) => ({
		customerId: `cust-c-${index + 1}`,
		customerName: `Customer ${index + 1}`,
		conversationId: randomUUID(),
	}));
	let table: DataTableRef;
	let workflowId: string;
	let klinkUrl: string;
	let appWebhook: string;
	/** The conversations the bridge's table holds, read by one poller for every customer waiting on it. */
	let known = new Set<string>();
	let polling = false;

	beforeAll(async () => {
		await Promise.all([klinkInbox.start(), app.start()]);
		// Another active copy of the example (the examples suite's) would compete for its fixed webhook paths
		// when n8n restarts: one copy at a time.
		const active = await api<{ data: Array<{ id: string; nodes: WorkflowNode[] }> }>(target, 'GET', '/workflows?active=true&limit=250');
		for (const workflow of active.data) {
			if (workflow.nodes.some((node) => node.webhookId === '88de0806-8780-40a9-ab34-e618a25c992b')) await deactivateWorkflow(target, workflow.id);
		}
		// Setup step of the example: the user creates the table in the Data tables tab, then picks it in the nodes.
		table = await createDataTable(target, `klink_bridge_conversations_${Date.now()}`, TABLE_COLUMNS);
		const header = await createCredential(target, 'klinkHeaderAuthApi', KLINK_HEADER);
		const customChannel = await createCredential(target, 'klinkCustomChannelApi', { inboundUrl: klinkInbox.url });
		const appApi = await createCredential(target, 'httpHeaderAuth', { name: 'Authorization', value: 'Bearer app-api-e2e-concurrency' });
		const appSecret = await createCredential(target, 'httpHeaderAuth', APP_SECRET);
		({ workflowId, url: klinkUrl } = await deployExample(target, FILE, {
			name: 'Klink: bridge under concurrency',
			credentials: { klinkHeaderAuthApi: header, klinkCustomChannelApi: customChannel, httpHeaderAuth: appApi },
			nodeCredentials: { 'Customer message from app': { httpHeaderAuth: appSecret } },
			parameters: {
				...Object.fromEntries(DATA_TABLE_NODES.map((node) => [node, { dataTableId: dataTableParameter(table) }])),
				'Deliver reply to app': { url: `${app.origin}/klink/agent-replies` },
				'Tell app conversation closed': { url: `${app.origin}/klink/conversation-closed` },
			},
		}));
		appWebhook = new URL('/webhook/klink-bridge/customer-message', webhookBase(target)).toString();
		await waitForWebhookRoute(appWebhook);
	});

	afterAll(async () => {
		polling = false;
		// The example's webhook path is fixed: free it for the examples suite.
		if (workflowId) await deactivateWorkflow(target, workflowId).catch(() => undefined);
		await Promise.all([klinkInbox.stop(), app.stop()]);
	});

	async function pollTable() {
		polling = true;
		while (polling) {
			known = new Set((await dataTableRows(target, table).catch(() => [])).map((row) => String(row.conversationId)));
			await sleep(250);
		}
	}

	/** Resolves once the bridge's table holds the conversation; false after 30 s (the reply then goes anyway). */
	async function bridgeKnows(conversationId: string): Promise<boolean> {
		const deadline = Date.now() + 30_000;
		while (!known.has(conversationId)) {
			if (Date.now() > deadline) return false;
			await sleep(100);
		}
		return true;
	}

	async function customerWrites(customer: Customer, text: string) {
		const message = { customerId: customer.customerId, customerName: customer.customerName, messageId: `app-${randomUUID()}`, text, sentAt: new Date().toISOString() };
		const answer = await postRaw(appWebhook, JSON.stringify(message), { [APP_SECRET.name]: APP_SECRET.value });
		expect({ customer: customer.customerId, status: answer.status }).toEqual({ customer: customer.customerId, status: 200 });
		return JSON.parse(answer.body) as { conversationId?: string | null; statusCode?: number };
	}

	async function klinkSends(event: unknown) {
		const answer = await postRaw(klinkUrl, JSON.stringify(event), { [KLINK_HEADER.name]: KLINK_HEADER.value });
		expect(answer.status).toBe(200);
		return JSON.parse(answer.body) as { started?: boolean; reason?: string };
	}

	const { echoOf, replyTo } = bridgeEvents();

	const agentReplies = () => app.calls.filter((call) => call.path === '/klink/agent-replies').map((call) => call.body as Record<string, unknown>);

	async function waitForReplies(count: number): Promise<void> {
		const deadline = Date.now() + 60_000;
		while (agentReplies().length < count && Date.now() < deadline) await sleep(200);
	}

	it('delivers 50 interleaved conversations both ways, none lost or doubled, across a restart', async () => {
		const started = Date.now();
		void pollTable();
		// Round 1: each customer's first message starts a conversation; klink reports it; an agent answers once the
		// conversation shows in klink's inbox. Customers start a few milliseconds apart, so every step interleaves.
		const notLearnt: string[] = [];
		await Promise.all(
			customers.map(async (customer, index) => {
				await sleep((index * 37) % 400);
				const first = await customerWrites(customer, `Hello from ${customer.customerId}`);
				expect(first).toMatchObject({ conversationId: null, statusCode: 200 });
				expect(await klinkSends(echoOf(customer))).toMatchObject({ started: true });
				if (!(await bridgeKnows(customer.conversationId))) notLearnt.push(customer.customerId);
				expect(await klinkSends(replyTo(customer, 1))).toMatchObject({ started: true });
			}),
		);
		await waitForReplies(CUSTOMERS);
		const round1 = { ms: Date.now() - started, replies: agentReplies().length, notLearnt: notLearnt.length };

		// n8n restarts: the map is in n8n's database, and so is the trigger's record of seen deliveries.
		const restartedAt = Date.now();
		const restarted = await restartInstance();
		target = { ...target, baseUrl: restarted.baseUrl };
		await waitForWebhookRoute(appWebhook);
		await waitForWebhookRoute(klinkUrl);
		const restartMs = Date.now() - restartedAt;

		// Round 2: klink resends a few reports (recognised), each customer writes again into the same
		// conversation, and an agent answers, all at once.
		const retried = await Promise.all(customers.slice(0, 5).map((customer) => klinkSends(echoOf(customer))));
		expect(retried).toEqual(retried.map(() => ({ received: true, started: false, reason: 'duplicate delivery' })));
		const round2Started = Date.now();
		const continued: string[] = [];
		await Promise.all(
			customers.map(async (customer, index) => {
				await sleep((index * 37) % 400);
				const second = await customerWrites(customer, `Still there? (${customer.customerId})`);
				if (second.conversationId === customer.conversationId) continued.push(customer.customerId);
				expect(await klinkSends(replyTo(customer, 2))).toMatchObject({ started: true });
			}),
		);
		await waitForReplies(2 * CUSTOMERS);
		await sleep(1000);
		polling = false;
		const replies = agentReplies();
		const counts = await countExecutions(target, workflowId);
		console.log(
			`n8n ${target.major}.x, ${CUSTOMERS} customers: round 1 ${round1.ms} ms (${round1.replies} replies, ${round1.notLearnt} conversations not learnt in 30 s), ` +
				`restart ${restartMs} ms, round 2 ${Date.now() - round2Started} ms (${continued.length} continued their conversation), ` +
				`${replies.length} replies delivered, executions ${JSON.stringify(counts)}`,
		);

		// Every reply reached its customer, in its conversation, exactly once.
		const expected = customers.flatMap((customer) =>
			[1, 2].map((round) => ({ customerId: customer.customerId, conversationId: customer.conversationId, text: `Reply ${round} for ${customer.customerId}` })),
		);
		const key = (reply: Record<string, unknown>) => `${String(reply.customerId)} ${String(reply.text)}`;
		expect(replies.map((reply) => ({ customerId: reply.customerId, conversationId: reply.conversationId, text: reply.text })).sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
			expected.sort((a, b) => key(a).localeCompare(key(b))),
		);
		expect(round1.notLearnt).toBe(0);
		expect(continued.sort()).toEqual(customers.map((customer) => customer.customerId).sort());
		// The inbox got each customer's first message without a conversation and the second one in it.
		const posted = klinkInbox.requests.filter((request) => request.status === 200).map((request) => request.body);
		expect(posted).toHaveLength(2 * CUSTOMERS);
		for (const customer of customers) {
			const mine = posted.filter((body) => (body.sender as { id?: string } | undefined)?.id === customer.customerId);
			expect(mine.map((body) => body.conversationId ?? null)).toEqual([null, customer.conversationId]);
		}

		// The table holds one row per customer; every run succeeded (5 per customer: 2 messages, 1 report, 2 replies).
		const rows = await dataTableRows(target, table);
		expect(rows.map((row) => `${String(row.customerId)} ${String(row.conversationId)}`).sort()).toEqual(
			customers.map((customer) => `${customer.customerId} ${customer.conversationId}`).sort(),
		);
		expect(counts).toEqual({ success: 5 * CUSTOMERS });
		// Nothing of the workflow uses static data any more, so the trigger saves its record of seen deliveries there.
		const { staticData } = await api<{ staticData?: Record<string, Record<string, unknown> | undefined> }>(target, 'GET', `/workflows/${workflowId}`);
		expect(staticData?.global ?? {}).toEqual({});
		expect(staticData?.[`node:${TRIGGER_NAME}`]).toHaveProperty('seenRecord');
	}, 240_000);
});
