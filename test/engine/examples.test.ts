/**
 * Every workflow in examples/ run in this process, from a request klink.cloud (or, for an n8n Webhook
 * node, the user's app) would send to what the services behind it would receive: the file as exported,
 * its placeholder credentials filled in, served by n8n-core's webhook context and run on n8n-core's engine
 * with n8n's own nodes (n8n-nodes-base), the internet services answered by in-process stand-ins.
 * Cases: exampleCases.ts. Real n8n: test/e2e.
 */
import './harness/engineRuntime';

import { readdirSync } from 'fs';

import { EXAMPLES_DIR } from '../e2e/harness/exampleWorkflows';
import { EXAMPLE_CASES, type ExampleCase, type ExampleEvent } from './exampleCases';
import { CustomChannelStandIn } from './harness/customChannelStandIn';
import { exampleWorkflow } from './harness/exampleWorkflow';
import { DataTableStandIn } from './harness/dataTableStandIn';
import { ExternalService, onlyLoopbackAndStandIns } from './harness/externalServices';
import { goJson, klinkSignature, postJsonForText } from './harness/klinkDelivery';
import { EngineNodeTypes } from './harness/nodeTypes';
import { dataTablesByWorkflow } from './harness/runWorkflow';
import { WebhookServer } from './harness/webhookServer';

const TRIGGER_TYPE = 'n8n-nodes-klink.klinkTrigger';

onlyLoopbackAndStandIns();

/**
 * The request: to the Klink Trigger, the JSON body with klink's signature or the header the user set up;
 * to another webhook node (`event.to`), the JSON body with the event's own headers.
 */
async function deliver(example: ExampleCase, url: string, event: ExampleEvent) {
	const body = JSON.stringify(event.body);
	let headers: Record<string, string> = event.headers ?? {};
	if (event.to === undefined) {
		headers =
			example.delivery.kind === 'signature'
				? { 'x-signature': klinkSignature(example.delivery.secret, url, goJson(event.body)) }
				: { [example.delivery.name.toLowerCase()]: example.delivery.value };
	}
	const { status, text } = await postJsonForText(url, body, headers);
	let answer: Record<string, unknown> = { text };
	try {
		answer = JSON.parse(text) as Record<string, unknown>;
	} catch {
		// A plain-text answer (n8n's Webhook node refusing a request) stays as `{ text }`.
	}
	return { status, answer };
}

describe('examples/', () => {
	it('has a case for every example workflow', () => {
		const files = readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith('.json')).sort();
		expect(EXAMPLE_CASES.map((example) => example.file).sort()).toEqual(files);
	});
});

describe.each(EXAMPLE_CASES)('examples/$file on n8n-core’s engine', (example) => {
	let server: WebhookServer;
	let inbound: CustomChannelStandIn;
	let services: Record<string, ExternalService>;
	const dataTables = new DataTableStandIn();

	beforeAll(async () => {
		for (const table of example.dataTables ?? []) dataTables.createTable(table.name, table.columns, table.id);
		dataTablesByWorkflow.set(example.file, dataTables);
		inbound = await new CustomChannelStandIn(`/custom-channel/${'c'.repeat(20)}/${'d'.repeat(20)}/webhook`).start();
		services = Object.fromEntries(
			Object.entries(example.services ?? {}).map(([name, service]) => [name, new ExternalService(service.origin, service.reply)]),
		);
		const nodeTypes = new EngineNodeTypes({ ...example.standIns });
		const { workflow, credentialsById } = exampleWorkflow(example);
		server = await new WebhookServer({ workflow, credentials: example.credentials(inbound.url), credentialsById, nodeTypes }).start();
	});

	afterAll(async () => {
		await server?.stop();
		await inbound?.stop();
		for (const service of Object.values(services ?? {})) service.stop();
		dataTablesByWorkflow.delete(example.file);
	});

	it('starts for exactly the events it is meant for, and the services get what the example promises', async () => {
		const trigger = exampleWorkflow(example).workflow.nodes.find((node) => node.type === TRIGGER_TYPE);
		expect(trigger?.webhookId).toBeDefined();
		const events = example.events();
		const answers: Array<Record<string, unknown>> = [];
		for (const event of events) {
			const before = server.executions.length;
			const { status, answer } = await deliver(example, server.urlOf(event.to ?? trigger!.name), event);
			const started = server.executions.length > before;
			// One request at a time, each run finished before the next request, as the examples' memory expects.
			if (started) await server.executions[server.executions.length - 1];
			expect({ what: event.what, status, started }).toEqual({ what: event.what, status: event.status ?? 200, started: event.started });
			// The Klink Trigger says in its answer whether it started the workflow.
			if (event.to === undefined) expect({ what: event.what, started: answer.started }).toEqual({ what: event.what, started: event.started });
			answers.push(answer);
		}
		const executions = await Promise.all(server.executions);
		expect(executions).toHaveLength(events.filter((event) => event.started).length);
		for (const execution of executions) {
			const failed = Object.entries(execution.run.data.resultData.runData).filter(([, runs]) => runs.some((run) => run.error));
			expect(failed.map(([node, runs]) => `${node}: ${runs.find((run) => run.error)?.error?.message}`)).toEqual([]);
		}
		example.check({
			executions,
			calls: Object.fromEntries(Object.entries(services).map(([name, service]) => [name, service.calls])),
			inbound: inbound.received.map((message) => message.body),
			events,
			answers,
			staticData: server.savedStaticData,
			tables: Object.fromEntries((example.dataTables ?? []).map((table) => [table.name, dataTables.rows(table.name)])),
		});
	});
});
