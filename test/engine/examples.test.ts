/**
 * Every workflow in examples/ run in this process, from a request klink.cloud would send to what the
 * services behind it would receive: the file as exported, its placeholder credentials filled in, served
 * by n8n-core's webhook context and run on n8n-core's engine with n8n's own nodes (n8n-nodes-base), the
 * internet services answered by in-process stand-ins. Cases: exampleCases.ts. Real n8n: test/e2e.
 */
import './harness/engineRuntime';

import { readdirSync } from 'fs';

import type { INode } from 'n8n-workflow';

import { EXAMPLES_DIR, loadExample } from '../e2e/harness/exampleWorkflows';
import { EXAMPLE_CASES, type ExampleCase, type ExampleEvent } from './exampleCases';
import { CustomChannelStandIn } from './harness/customChannelStandIn';
import { ExternalService, onlyLoopbackAndStandIns } from './harness/externalServices';
import { goJson, klinkSignature, postJson } from './harness/klinkDelivery';
import { EngineNodeTypes } from './harness/nodeTypes';
import type { WorkflowJson } from './harness/runWorkflow';
import { toolVariant } from './harness/standIns';
import { WebhookServer } from './harness/webhookServer';

const TRIGGER_TYPE = 'n8n-nodes-klink.klinkTrigger';

onlyLoopbackAndStandIns();

/** The exported file with what the user fills in after importing. Credentials are looked up by type. */
function exampleWorkflow(example: ExampleCase): WorkflowJson {
	const exported = loadExample(example.file);
	const nodes = exported.nodes.map((node) => {
		const copy = JSON.parse(JSON.stringify(node)) as INode;
		copy.parameters = { ...copy.parameters, ...example.parameters?.[node.name] };
		return copy;
	});
	for (const name of Object.keys(example.parameters ?? {})) {
		if (!nodes.some((node) => node.name === name)) throw new Error(`${example.file} has no node "${name}"`);
	}
	return { id: example.file, name: exported.name, nodes, connections: exported.connections as WorkflowJson['connections'], settings: exported.settings };
}

/** The request klink.cloud sends: the JSON body with its signature, or with the header the user set up. */
async function deliver(example: ExampleCase, url: string, event: ExampleEvent) {
	const body = JSON.stringify(event.body);
	const headers: Record<string, string> =
		example.delivery.kind === 'signature'
			? { 'x-signature': klinkSignature(example.delivery.secret, url, goJson(event.body)) }
			: { [example.delivery.name.toLowerCase()]: example.delivery.value };
	const { status, json } = await postJson(url, body, headers);
	return { status, answer: json };
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

	beforeAll(async () => {
		inbound = await new CustomChannelStandIn(`/custom-channel/${'c'.repeat(20)}/${'d'.repeat(20)}/webhook`).start();
		services = Object.fromEntries(
			Object.entries(example.services ?? {}).map(([name, service]) => [name, new ExternalService(service.origin, service.reply)]),
		);
		const nodeTypes = new EngineNodeTypes({ ...example.standIns });
		const workflow = exampleWorkflow(example);
		// Nodes used as AI tools get the tool variant n8n's loader would make of them.
		for (const node of workflow.nodes.filter((candidate) => candidate.type.endsWith('Tool'))) {
			await nodeTypes.load([node.type.replace(/Tool$/, '')]);
			nodeTypes.add(node.type, toolVariant(nodeTypes.getByName(node.type.replace(/Tool$/, ''))));
		}
		server = await new WebhookServer({ workflow, credentials: example.credentials(inbound.url), nodeTypes }).start();
	});

	afterAll(async () => {
		await server?.stop();
		await inbound?.stop();
	});

	it('starts for exactly the events it is meant for, and the services get what the example promises', async () => {
		const trigger = exampleWorkflow(example).nodes.find((node) => node.type === TRIGGER_TYPE);
		expect(trigger?.webhookId).toBeDefined();
		const url = server.urlOf(trigger!.name);
		const events = example.events();
		for (const event of events) {
			const { status, answer } = await deliver(example, url, event);
			expect({ what: event.what, status, started: answer.started }).toEqual({ what: event.what, status: 200, started: event.started });
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
		});
	});
});
