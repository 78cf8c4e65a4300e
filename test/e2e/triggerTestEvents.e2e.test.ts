import { randomUUID } from 'crypto';
import { readFileSync } from 'fs';

import { e2eTarget, readState, restartInstance } from './harness/e2eState';
import { signWithGo } from './harness/goSigner';
import { messageInbound } from './harness/klinkEvents';
import {
	activateWorkflow,
	createCredential,
	createWorkflow,
	listExecutions,
	nodeOutput,
	PACKAGE,
	waitForExecutions,
	waitForWebhookRoute,
	webhookUrl,
	type ApiTarget,
} from './harness/n8nApi';
import { listenForTestEvent, testWebhookUrl } from './harness/testWebhook';
import { postRaw, TRIGGER_NAME } from './harness/triggerDeploy';

/**
 * Test events as the editor's "Execute step" receives them (n8n's test webhook, mode manual), driven through
 * n8n's REST API: signed for the Test URL or the Production URL, refused or filtered (the run then shows
 * why), and kept apart from the production dedupe record. The same steps in the real editor are in
 * editor.e2e.test.ts.
 */

const SECRET = 'klink-e2e-test-events-secret-5e1f';
const HEADER_VALUE = 'Bearer klink-e2e-test-events-token';

let target: ApiTarget;
let logFile: string;

beforeAll(() => ({ target, logFile } = e2eTarget()));

interface Deployed {
	workflowId: string;
	webhookId: string;
	productionUrl: string;
	testUrl: string;
}

/** A saved, inactive workflow with one Klink Trigger; activate it later with activateWorkflow. */
async function createTriggerWorkflow(name: string, parameters: Record<string, unknown>, credentials: Record<string, { id: string; name: string }>): Promise<Deployed> {
	const webhookId = randomUUID();
	const workflow = await createWorkflow(target, name, [
		{ name: TRIGGER_NAME, type: `${PACKAGE}.klinkTrigger`, typeVersion: 1, webhookId, parameters, credentials },
	]);
	return { workflowId: workflow.id, webhookId, productionUrl: webhookUrl(target.baseUrl, webhookId), testUrl: testWebhookUrl(target.baseUrl, webhookId) };
}

function signed(url: string, body: unknown, secret = SECRET) {
	const raw = JSON.stringify(body);
	return { raw, signature: signWithGo({ secret, url, body: raw }) };
}

/** Listens once, sends one request to the Test URL, and returns the answer and the test run's item. */
async function sendTestRequest(deployed: Deployed, send: (testUrl: string) => Promise<{ status: number; body: string }>, testUrl = deployed.testUrl) {
	const before = (await listExecutions(target, deployed.workflowId)).length;
	await listenForTestEvent(target, deployed.workflowId, TRIGGER_NAME);
	const answer = await send(testUrl);
	const executions = await waitForExecutions(target, deployed.workflowId, before + 1);
	const run = executions[executions.length - 1] as (typeof executions)[number] & { mode?: string };
	return { answer, item: nodeOutput(run, TRIGGER_NAME)[0], run };
}

describe('Klink Trigger test events (Execute step), signed by klink', () => {
	let deployed: Deployed;

	beforeAll(async () => {
		const credential = await createCredential(target, 'klinkSignatureApi', { signatureSecret: SECRET });
		deployed = await createTriggerWorkflow('test events', { authentication: 'klinkSignature', events: ['message.inbound'], filters: { channels: ['whatsapp'] } }, { klinkSignatureApi: credential });
	});

	it('accepts an event klink signed for the Test URL and shows its item in the test run', async () => {
		const event = messageInbound({ text: 'signed for the test url' });
		const { answer, item, run } = await sendTestRequest(deployed, async (url) => {
			const { raw, signature } = signed(url, event);
			return await postRaw(url, raw, { 'x-signature': signature });
		});
		expect({ status: answer.status, body: JSON.parse(answer.body) }).toEqual({ status: 200, body: { received: true, started: true } });
		expect(run.mode).toBe('manual');
		expect(item).toMatchObject({ event: 'message.inbound', messageId: event.data.id, text: 'signed for the test url', channel: 'whatsapp' });
		// This n8n gives out 127.0.0.1, which klink cannot reach: the test run says so.
		expect(item.warning).toBe(
			`klink.cloud cannot reach ${deployed.testUrl} (127.0.0.1 is this machine only). Set WEBHOOK_URL (n8n 1.x) or N8N_WEBHOOK_URL (n8n 2.x) to the public address of this n8n.`,
		);
	});

	it('still accepts a test event signed for the Production URL', async () => {
		const event = messageInbound({ text: 'signed for the production url' });
		const { answer, item } = await sendTestRequest(deployed, async (url) => {
			const { raw, signature } = signed(deployed.productionUrl, event);
			return await postRaw(url, raw, { 'x-signature': signature });
		});
		expect(answer.status).toBe(200);
		expect(item).toMatchObject({ messageId: event.data.id });
	});

	it('shows why a forged test event was refused, answers it 401, and shows no secret', async () => {
		const event = messageInbound();
		const { answer, item } = await sendTestRequest(deployed, async (url) => {
			const { raw, signature } = signed(url, event, 'not-the-secret');
			return await postRaw(url, raw, { 'x-signature': signature });
		});
		expect({ status: answer.status, body: JSON.parse(answer.body) }).toEqual({ status: 401, body: { error: 'Unauthorized' } });
		expect(item).toMatchObject({
			outcome: 'rejected',
			statusCode: 401,
			reason: expect.stringMatching(/^signature does not match \(tried 1 secret\(s\) and \d+ URL\(s\)\)$/),
			fix: expect.stringContaining('Signature secret'),
		});
		expect(JSON.stringify(item)).not.toContain(SECRET);
		expect(readFileSync(logFile, 'utf8')).toContain('Klink Trigger "Klink Trigger": rejected a test request with 401: signature does not match');
	});

	it('shows which filter stopped a filtered test event', async () => {
		const { answer, item } = await sendTestRequest(deployed, async (url) => {
			const { raw, signature } = signed(url, messageInbound({ channel: 'telegram' }));
			return await postRaw(url, raw, { 'x-signature': signature });
		});
		expect({ status: answer.status, body: JSON.parse(answer.body) }).toEqual({
			status: 200,
			body: { received: true, started: false, reason: 'channel "telegram" is not selected' },
		});
		expect(item).toMatchObject({ outcome: 'filtered out', statusCode: 200, filter: 'Channels', reason: 'channel "telegram" is not selected' });
	});

	it('names the URL klink signed when a proxy changed it, on a test request', async () => {
		const proxied = `https://hooks.example.com/webhook-test/${deployed.webhookId}/klink`;
		const { answer, item } = await sendTestRequest(deployed, async (url) => {
			const { raw, signature } = signed(proxied, messageInbound());
			return await postRaw(url, raw, { 'x-signature': signature, 'x-forwarded-host': 'hooks.example.com', 'x-forwarded-proto': 'https' });
		});
		expect(answer.status).toBe(401);
		expect(item.reason).toContain(`klink signed ${proxied}`);
		expect(item.reason).toContain('Signed URL');
	});

	it('keeps test events and production deliveries apart in deduplication', async () => {
		const event = messageInbound({ text: 'first tested, then sent for real' });
		const tested = await sendTestRequest(deployed, async (url) => {
			const { raw, signature } = signed(url, event);
			return await postRaw(url, raw, { 'x-signature': signature });
		});
		expect(JSON.parse(tested.answer.body)).toEqual({ received: true, started: true });

		await activateWorkflow(target, deployed.workflowId);
		await waitForWebhookRoute(deployed.productionUrl);
		const before = (await listExecutions(target, deployed.workflowId)).length;
		const { raw, signature } = signed(deployed.productionUrl, event);
		const first = await postRaw(deployed.productionUrl, raw, { 'x-signature': signature });
		expect(JSON.parse(first.body)).toEqual({ received: true, started: true });
		const retry = await postRaw(deployed.productionUrl, raw, { 'x-signature': signature });
		expect(JSON.parse(retry.body)).toMatchObject({ started: false, reason: 'duplicate delivery' });
		await waitForExecutions(target, deployed.workflowId, before + 1);

		// The production record does not hide the same event from a later test run either.
		const testedAgain = await sendTestRequest(deployed, async (url) => {
			const test = signed(url, event);
			return await postRaw(url, test.raw, { 'x-signature': test.signature });
		});
		expect(JSON.parse(testedAgain.answer.body)).toEqual({ received: true, started: true });
		expect(testedAgain.item).toMatchObject({ messageId: event.data.id });

		const all = await waitForExecutions(target, deployed.workflowId, before + 2);
		expect(all.length).toBe(before + 2);
		const runsOfEvent = all.filter((e) => nodeOutput(e, TRIGGER_NAME)[0]?.messageId === event.data.id);
		expect(runsOfEvent.map((e) => (e as { mode?: string }).mode).sort()).toEqual(['manual', 'manual', 'webhook']);

		// Three listens and one activation: the unreachable-URL warning reached the log once, for the activation.
		const warnings = readFileSync(logFile, 'utf8').split('\n').filter((line) => line.includes(`klink.cloud cannot reach`) && line.includes(deployed.webhookId));
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toContain(`klink.cloud cannot reach ${deployed.productionUrl} (127.0.0.1 is this machine only)`);
	});

	it('refuses a Test URL signature on a production request', async () => {
		const { raw, signature } = signed(deployed.testUrl, messageInbound());
		expect((await postRaw(deployed.productionUrl, raw, { 'x-signature': signature })).status).toBe(401);
	});
});

describe('Klink Trigger test events with header auth and without authentication', () => {
	it('shows a wrong header as the reason, without the header value', async () => {
		const credential = await createCredential(target, 'klinkHeaderAuthApi', { name: 'Authorization', value: HEADER_VALUE });
		const deployed = await createTriggerWorkflow('test events header', { authentication: 'headerAuth', events: ['*'] }, { klinkHeaderAuthApi: credential });
		const { answer, item } = await sendTestRequest(deployed, async (url) => await postRaw(url, JSON.stringify(messageInbound()), { authorization: 'Bearer wrong' }));
		expect(answer.status).toBe(401);
		expect(item).toMatchObject({ outcome: 'rejected', statusCode: 401, reason: 'wrong authorization header' });
		expect(JSON.stringify(item)).not.toContain(HEADER_VALUE);
		expect(JSON.stringify(item)).not.toContain('Bearer wrong');
	});

	it('shows a body that is not a JSON object as the reason', async () => {
		const deployed = await createTriggerWorkflow('test events none', { authentication: 'none', events: ['*'] }, {});
		const { answer, item } = await sendTestRequest(deployed, async (url) => await postRaw(url, '[1, 2, 3]'));
		expect(answer.status).toBe(400);
		expect(item).toMatchObject({ outcome: 'rejected', statusCode: 400, reason: 'klink webhook body must be a JSON object' });
	});
});

describe("Klink Trigger test events on n8n's other Test URL settings", () => {
	const endpoint = 'klink-test-hooks';

	afterAll(async () => {
		const restored = await restartInstance();
		target = { ...target, baseUrl: restored.baseUrl };
	});

	it(`accepts the Test URL from a custom test endpoint (N8N_ENDPOINT_WEBHOOK_TEST) and, on 2.x, a separate test base (N8N_EDITOR_BASE_URL)`, async () => {
		const state = readState();
		// 2.x builds its Test URL from N8N_WEBHOOK_URL, else from N8N_EDITOR_BASE_URL: clear the first so the second counts.
		const testBase = target.major === 2 ? `http://localhost:${state.port}/` : target.baseUrl;
		const env: Record<string, string> = { N8N_ENDPOINT_WEBHOOK_TEST: endpoint };
		if (target.major === 2) Object.assign(env, { N8N_WEBHOOK_URL: '', WEBHOOK_URL: target.baseUrl, N8N_EDITOR_BASE_URL: testBase });
		await restartInstance(env);

		const credential = await createCredential(target, 'klinkSignatureApi', { signatureSecret: SECRET });
		const deployed = await createTriggerWorkflow('test events custom endpoint', { authentication: 'klinkSignature', events: ['*'] }, { klinkSignatureApi: credential });
		const testUrl = testWebhookUrl(testBase, deployed.webhookId, endpoint);
		const event = messageInbound({ text: 'custom test endpoint' });
		const { answer, item } = await sendTestRequest(
			deployed,
			async (url) => {
				const { raw, signature } = signed(url, event);
				return await postRaw(url, raw, { 'x-signature': signature });
			},
			testUrl,
		);
		expect({ url: testUrl, status: answer.status }).toEqual({ url: testUrl, status: 200 });
		expect(item).toMatchObject({ messageId: event.data.id });
	});
});
