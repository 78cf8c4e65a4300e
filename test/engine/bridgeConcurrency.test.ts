/**
 * The two-way Custom Channel example under concurrency on n8n-core's engine, in this process: 50 customers
 * start conversations through the app side at once while klink.cloud reports them and agents reply through the
 * Klink Trigger, all interleaved; then "n8n restarts" (a new endpoint on the saved static data and the same
 * tables) and the 50 continue. The Data table node runs as it is; its store is the in-memory stand-in
 * (dataTableStandIn.ts), since n8n's own data-table module needs n8n's database layer. Real n8n:
 * test/e2e/bridgeConcurrency.e2e.test.ts.
 * Limits of the in-process run: the "restart" keeps this process's memory (what the trigger holds in memory
 * survives it, hence the check that its record is in the saved static data), and a run here loads and saves
 * static data a few milliseconds apart, so the earlier static-data version of the example passed this test
 * (2026-12-04); in a real n8n it lost 48 of 50 conversations.
 */
import './harness/engineRuntime';

import { randomUUID } from 'crypto';

import { BRIDGE_TABLE, EXAMPLE_CASES } from './exampleCases';
import { CustomChannelStandIn } from './harness/customChannelStandIn';
import { DataTableStandIn } from './harness/dataTableStandIn';
import { exampleWorkflow } from './harness/exampleWorkflow';
import { ExternalService, onlyLoopbackAndStandIns } from './harness/externalServices';
import { postJsonForText } from './harness/klinkDelivery';
import { dataTablesByWorkflow } from './harness/runWorkflow';
import { WebhookServer } from './harness/webhookServer';
import { bridgeEvents, type BridgeCustomer as Customer } from '../support/bridgeEvents';

onlyLoopbackAndStandIns();

const FILE = 'klink-custom-channel-bridge.json';
const CUSTOMERS = 50;
const APP_WEBHOOK = 'Customer message from app';
const TRIGGER = 'Klink Trigger';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const example = EXAMPLE_CASES.find((candidate) => candidate.file === FILE)!;

describe(`examples/${FILE} under concurrency, on n8n-core’s engine`, () => {
	const dataTables = new DataTableStandIn();
	let inbound: CustomChannelStandIn;
	let app: ExternalService;
	let server: WebhookServer;
	const customers: Customer[] = Array.from({ length: CUSTOMERS }, (_, index) => ({
		customerId: `cust-e-${index + 1}`,
		customerName: `Customer ${index + 1}`,
		conversationId: randomUUID(),
	}));

	const start = async (staticData?: Record<string, unknown>) => {
		const { workflow, credentialsById } = exampleWorkflow(example);
		return await new WebhookServer({ workflow: { ...workflow, staticData: staticData as never }, credentials: example.credentials(inbound.url), credentialsById }).start();
	};

	beforeAll(async () => {
		for (const table of example.dataTables ?? []) dataTables.createTable(table.name, table.columns, table.id);
		dataTablesByWorkflow.set(FILE, dataTables);
		inbound = await new CustomChannelStandIn(`/custom-channel/${'e'.repeat(20)}/${'f'.repeat(20)}/webhook`).start();
		app = new ExternalService('https://your-app.example.com', () => ({ status: 200, body: { delivered: true } }));
		server = await start();
	});

	afterAll(async () => {
		await server?.stop();
		await inbound?.stop();
		app?.stop();
		dataTablesByWorkflow.delete(FILE);
	});

	const appSecret = example.nodeCredentials![APP_WEBHOOK].httpHeaderAuth as { name: string; value: string };
	const klinkHeader = example.delivery as { name: string; value: string };

	async function customerWrites(customer: Customer, text: string) {
		const message = { customerId: customer.customerId, customerName: customer.customerName, messageId: `app-${randomUUID()}`, text, sentAt: new Date().toISOString() };
		const { status, text: answer } = await postJsonForText(server.urlOf(APP_WEBHOOK), JSON.stringify(message), { [appSecret.name]: appSecret.value });
		expect({ customer: customer.customerId, status }).toEqual({ customer: customer.customerId, status: 200 });
		return JSON.parse(answer) as { conversationId?: string | null };
	}

	async function klinkSends(event: unknown) {
		const { status, text } = await postJsonForText(server.urlOf(TRIGGER), JSON.stringify(event), { [klinkHeader.name.toLowerCase()]: klinkHeader.value });
		expect(status).toBe(200);
		return JSON.parse(text) as { started?: boolean; reason?: string };
	}

	const { echoOf, replyTo } = bridgeEvents();

	/** Resolves once the bridge's table holds the conversation; false after 10 s (the reply then goes anyway). */
	async function bridgeKnows(conversationId: string): Promise<boolean> {
		const deadline = Date.now() + 10_000;
		while (!dataTables.rows(BRIDGE_TABLE.name).some((row) => row.conversationId === conversationId)) {
			if (Date.now() > deadline) return false;
			await sleep(20);
		}
		return true;
	}

	const agentReplies = () => app.calls.filter((call) => call.url.endsWith('/klink/agent-replies')).map((call) => call.body as Record<string, unknown>);

	it('delivers 50 interleaved conversations both ways, none lost or doubled, across a restart', async () => {
		const notLearnt: string[] = [];
		await Promise.all(
			customers.map(async (customer, index) => {
				await sleep((index * 7) % 100);
				expect(await customerWrites(customer, `Hello from ${customer.customerId}`)).toMatchObject({ conversationId: null });
				expect(await klinkSends(echoOf(customer))).toMatchObject({ started: true });
				if (!(await bridgeKnows(customer.conversationId))) notLearnt.push(customer.customerId);
				expect(await klinkSends(replyTo(customer, 1))).toMatchObject({ started: true });
			}),
		);
		await Promise.all(server.executions);

		// A restart: a new endpoint on what n8n saved (static data, the tables).
		await server.stop();
		server = await start(server.savedStaticData);
		const retried = await Promise.all(customers.slice(0, 5).map((customer) => klinkSends(echoOf(customer))));
		expect(retried).toEqual(retried.map(() => ({ received: true, started: false, reason: 'duplicate delivery' })));

		const continued: string[] = [];
		await Promise.all(
			customers.map(async (customer, index) => {
				await sleep((index * 7) % 100);
				const second = await customerWrites(customer, `Still there? (${customer.customerId})`);
				if (second.conversationId === customer.conversationId) continued.push(customer.customerId);
				expect(await klinkSends(replyTo(customer, 2))).toMatchObject({ started: true });
			}),
		);
		await Promise.all(server.executions);

		const key = (reply: Record<string, unknown>) => `${String(reply.customerId)} ${String(reply.text)}`;
		const expected = customers.flatMap((customer) =>
			[1, 2].map((round) => ({ customerId: customer.customerId, conversationId: customer.conversationId, text: `Reply ${round} for ${customer.customerId}` })),
		);
		expect(agentReplies().map(({ customerId, conversationId, text }) => ({ customerId, conversationId, text })).sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
			expected.sort((a, b) => key(a).localeCompare(key(b))),
		);
		expect(notLearnt).toEqual([]);
		expect(continued.sort()).toEqual(customers.map((customer) => customer.customerId).sort());
		expect(dataTables.rows(BRIDGE_TABLE.name).map((row) => `${String(row.customerId)} ${String(row.conversationId)}`).sort()).toEqual(
			customers.map((customer) => `${customer.customerId} ${customer.conversationId}`).sort(),
		);
		for (const customer of customers) {
			const mine = inbound.received.filter((message) => (message.body.sender as { id?: string } | undefined)?.id === customer.customerId);
			expect(mine.map((message) => message.body.conversationId ?? null)).toEqual([null, customer.conversationId]);
		}
		expect(server.savedStaticData[`node:${TRIGGER}`]).toHaveProperty('seenRecord');
	});
});
