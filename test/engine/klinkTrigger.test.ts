/**
 * The Klink Trigger's webhook() on n8n-core's own WebhookContext, with real HTTP requests on 127.0.0.1:
 * n8n-core builds the Production URL the signature covers, reads the credentials, hands the node the
 * request and response objects and keeps the workflow's static data; accepted events run the rest of the
 * workflow on n8n-core's engine. The same trigger in a running n8n, signed by a Go program: test/e2e.
 */
import { clearEngineLog, engineLog, engineLogText } from './harness/engineRuntime';

import type { INode, INodeParameters } from 'n8n-workflow';

import { eventDigest } from '../../nodes/shared/events/seenRecord';
import { contactEvent, messageInbound } from '../e2e/harness/klinkEvents';
import { goJson, klinkSignature, postJson, postJsonForText } from './harness/klinkDelivery';
import type { WorkflowJson } from './harness/runWorkflow';
import { WebhookServer, type StaticDataStore } from './harness/webhookServer';

const SECRET = 'engine-test-signature-secret';
const TRIGGER = 'Klink Trigger';
const NEXT = 'Received';

function triggerWorkflow(id: string, parameters: INodeParameters, typeVersion = 1): WorkflowJson {
	const trigger: INode = {
		id: `${id}-trigger`,
		name: TRIGGER,
		type: 'n8n-nodes-klink.klinkTrigger',
		typeVersion,
		position: [0, 0],
		webhookId: `${id}-0000-4000-8000-000000000000`,
		parameters,
		credentials: {
			klinkSignatureApi: { id: '1', name: 'Klink Signature' },
			klinkHeaderAuthApi: { id: '2', name: 'Klink Header Auth' },
		},
	};
	const next: INode = { id: `${id}-next`, name: NEXT, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0], parameters: {} };
	return { id, nodes: [trigger, next], connections: { [TRIGGER]: { main: [[{ node: NEXT, type: 'main', index: 0 }]] } } };
}

/**
 * Waits until the static data n8n saved holds the event: the trigger saves its record through a flush request
 * to its own URL, within about a second of the event.
 */
async function waitUntilSaved(server: WebhookServer, messageId: string): Promise<void> {
	const digest = eventDigest(`message.inbound|m:${messageId}`);
	const deadline = Date.now() + 5000;
	for (;;) {
		const record = (server.savedStaticData[`node:${TRIGGER}`] as { seenRecord?: { buckets: Array<[number, string]> } } | undefined)?.seenRecord;
		if (record?.buckets.some(([, digests]) => digests.includes(digest))) return;
		if (Date.now() > deadline) throw new Error(`the record was not saved with ${messageId}: ${JSON.stringify(record)}`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

function sign(url: string, body: string, secret = SECRET): string {
	return klinkSignature(secret, url, body);
}

describe('Klink Trigger on n8n-core’s webhook context, Klink Signature', () => {
	let server: WebhookServer;
	let url: string;
	const signed = async (event: unknown, signedFor?: string) => {
		const body = goJson(event);
		return await postJson(url, body, { 'x-signature': sign(signedFor ?? url, body) });
	};

	beforeAll(async () => {
		server = await new WebhookServer({
			workflow: triggerWorkflow('signature', {
				authentication: 'klinkSignature',
				events: ['message.inbound'],
				filters: { channels: ['whatsapp'] },
				options: {},
			}),
			credentials: { klinkSignatureApi: { signatureSecret: SECRET, previousSignatureSecret: '' } },
		}).start();
		url = server.urlOf(TRIGGER);
	});

	beforeEach(() => clearEngineLog());

	afterAll(async () => {
		await server.stop();
	});

	it('serves the Production URL n8n builds from the webhook base, the webhook id and the path', () => {
		expect(url).toBe(`${server.webhookBaseUrl}/signature-0000-4000-8000-000000000000/klink`);
	});

	it('on activation, records the URL and warns once that klink.cloud cannot reach a loopback address', async () => {
		await server.activate(TRIGGER);
		await server.activate(TRIGGER);
		// (This trigger is version 1, which adds a warning of its own: see 'Klink Trigger warnings at activation'.)
		const warnings = engineLog.filter((line) => line.level === 'warn' && !line.message.includes('is version 1')).map((line) => line.message);
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toContain(`Klink Trigger "${TRIGGER}": klink.cloud cannot reach ${url}`);
		expect(warnings[0]).toContain('Set WEBHOOK_URL (n8n 1.x) or N8N_WEBHOOK_URL (n8n 2.x)');
		expect(server.savedStaticData[`node:${TRIGGER}`]).toMatchObject({ activation: { url } });
	});

	it('answers a genuine, matching event at once and starts the workflow with the simplified event', async () => {
		const event = messageInbound({ text: 'Where is my parcel?' });
		expect(await signed(event)).toEqual({ status: 200, json: { received: true, started: true } });
		expect(server.executions).toHaveLength(1);
		const execution = await server.executions[0];
		expect(execution.run.mode).toBe('webhook');
		expect(execution.run.status).toBe('success');
		expect(execution.executionOrder).toEqual([TRIGGER, NEXT]);
		expect(execution.json(NEXT)).toEqual([
			{
				event: 'message.inbound',
				messageId: event.data.id,
				conversationId: event.data.roomId,
				contactId: event.data.contactId,
				channel: 'whatsapp',
				direction: 'incoming',
				text: 'Where is my parcel?',
				sender: null,
				unreadCount: 1,
				isGroup: false,
				isAiAgentRoom: false,
				timestamp: event.timestamp,
			},
		]);
	});

	it('turns a retried delivery away, from the dedupe record kept in the saved static data', async () => {
		const event = messageInbound();
		const before = server.executions.length;
		expect((await signed(event)).json.started).toBe(true);
		expect(await signed(event)).toEqual({ status: 200, json: { received: true, started: false, reason: 'duplicate delivery' } });
		await waitUntilSaved(server, event.data.id);
		// The flush request that saved it started nothing.
		expect(server.executions.length).toBe(before + 1);
	});

	it('writes the record back from memory when a run erased the static data (as a 2.x queue-mode worker can)', async () => {
		const first = messageInbound();
		expect((await signed(first)).json.started).toBe(true);
		await waitUntilSaved(server, first.data.id);
		await new Promise((resolve) => setTimeout(resolve, 3000)); // past the flush's check two seconds later
		server.savedStaticData = {};
		// Only a retry arrives, no new event: the record is written back all the same.
		expect((await signed(first)).json).toEqual({ received: true, started: false, reason: 'duplicate delivery' });
		await waitUntilSaved(server, first.data.id);
	});

	it('refuses a flush request it cannot verify with 401, and saves nothing from it', async () => {
		const saved = JSON.stringify(server.savedStaticData);
		const forged = JSON.stringify({ save: { v: 2, bucketMs: 10_000, buckets: [[Date.now() - (Date.now() % 10_000), 'AAAAAAAAAAAA']] } });
		const before = server.executions.length;
		const answer = await postJsonForText(url, forged, { 'x-klink-dedupe-flush': `${Date.now()}.not-the-mac` });
		expect(answer.status).toBe(401);
		expect(JSON.stringify(server.savedStaticData)).toBe(saved);
		expect(server.executions.length).toBe(before);
	});

	it('after a restart (nothing in memory), turns the retry away from the static data n8n saved', async () => {
		const event = messageInbound();
		expect((await signed(event)).json.started).toBe(true);
		await waitUntilSaved(server, event.data.id);
		await jest.isolateModulesAsync(async () => {
			// A fresh copy of every module: n8n-core, n8n-workflow and the trigger with its in-memory keys.
			const { WebhookServer: RestartedServer } = await import('./harness/webhookServer');
			const restarted = await new RestartedServer({
				workflow: { ...server.workflow, staticData: server.savedStaticData },
				credentials: { klinkSignatureApi: { signatureSecret: SECRET } },
			}).start();
			try {
				const restartedUrl = restarted.urlOf(TRIGGER);
				const body = goJson(event);
				const retry = await postJson(restartedUrl, body, { 'x-signature': sign(restartedUrl, body) });
				expect(retry.json).toEqual({ received: true, started: false, reason: 'duplicate delivery' });
				const fresh = goJson(messageInbound());
				expect((await postJson(restartedUrl, fresh, { 'x-signature': sign(restartedUrl, fresh) })).json.started).toBe(true);
			} finally {
				await restarted.stop();
			}
		});
	});

	it('answers a filtered event with 200 and starts nothing', async () => {
		const before = server.executions.length;
		const telegram = await signed(messageInbound({ channel: 'telegram' }));
		expect(telegram.status).toBe(200);
		expect(telegram.json).toMatchObject({ received: true, started: false });
		const contact = await signed(contactEvent('contact.created'));
		expect(contact.json).toMatchObject({ received: true, started: false });
		expect(server.executions.length).toBe(before);
	});

	it('rejects a wrong signature, or one made for another URL, with 401, starts nothing and logs no secret', async () => {
		const before = server.executions.length;
		const event = messageInbound();
		const body = goJson(event);
		expect(await postJson(url, body, { 'x-signature': sign(url, body, 'not-the-secret') })).toEqual({ status: 401, json: { error: 'Unauthorized' } });
		expect(await postJson(url, body, { 'x-signature': sign(url, `${body} `) })).toEqual({ status: 401, json: { error: 'Unauthorized' } });
		expect((await signed(event, url.replace('127.0.0.1', 'localhost'))).status).toBe(401);
		expect((await postJson(url, body, {})).status).toBe(401);
		expect(server.executions.length).toBe(before);
		expect(engineLogText()).toContain(`Klink Trigger "${TRIGGER}": rejected a request with 401`);
		expect(engineLogText()).not.toContain(SECRET);
		// The genuine request still passes afterwards: nothing about the rejected ones was remembered.
		expect((await signed(event)).json.started).toBe(true);
	});
});

describe('Klink Trigger on n8n-core’s webhook context, Header Auth', () => {
	const HEADER = { name: 'Authorization', value: 'Bearer engine-test-token' };
	let server: WebhookServer;
	let url: string;

	beforeAll(async () => {
		server = await new WebhookServer({
			workflow: triggerWorkflow('header', {
				authentication: 'headerAuth',
				events: ['contact.created'],
				options: { includeRaw: true },
			}),
			credentials: { klinkHeaderAuthApi: HEADER },
		}).start();
		url = server.urlOf(TRIGGER);
	});

	afterAll(async () => {
		await server.stop();
	});

	it('accepts the configured header, keeps its value out of the raw headers and rejects any other value', async () => {
		const event = contactEvent('contact.created');
		const body = JSON.stringify(event);
		expect((await postJson(url, body, { authorization: 'Bearer wrong' })).status).toBe(401);
		expect(server.executions).toHaveLength(0);
		expect(await postJson(url, body, { authorization: HEADER.value })).toEqual({ status: 200, json: { received: true, started: true } });
		const execution = await server.executions[0];
		const [item] = execution.json(NEXT);
		expect(item).toMatchObject({ event: 'contact.created', contactId: event.data.id, body: event });
		expect((item.headers as Record<string, string>).authorization).toBe('[redacted]');
		expect(JSON.stringify(execution.run)).not.toContain(HEADER.value);
	});
});

describe('Klink Trigger credential changes', () => {
	it('takes a changed signature secret within 5 seconds, and refuses the old one from then on', async () => {
		const credentials = { klinkSignatureApi: { signatureSecret: 'engine-secret-before' } };
		const server = await new WebhookServer({
			workflow: triggerWorkflow('rotation', { authentication: 'klinkSignature', events: ['message.inbound'], options: {} }),
			credentials,
		}).start();
		try {
			const url = server.urlOf(TRIGGER);
			const send = async (secret: string) => {
				const body = goJson(messageInbound());
				return await postJson(url, body, { 'x-signature': sign(url, body, secret) });
			};
			expect((await send('engine-secret-before')).status).toBe(200);

			credentials.klinkSignatureApi.signatureSecret = 'engine-secret-after';
			const changedAt = Date.now();
			let accepted = false;
			while (!accepted && Date.now() - changedAt < 10_000) {
				accepted = (await send('engine-secret-after')).status === 200;
				if (!accepted) await new Promise((resolve) => setTimeout(resolve, 200));
			}
			expect(accepted).toBe(true);
			expect(Date.now() - changedAt).toBeLessThanOrEqual(5500);
			expect((await send('engine-secret-before')).status).toBe(401);
		} finally {
			await server.stop();
		}
	});
});

describe('Klink Trigger beside a node that keeps the workflow’s own static data', () => {
	const COUNT = 'Count events';
	let server: WebhookServer;
	let url: string;

	beforeAll(async () => {
		const workflow = triggerWorkflow('static-user', { authentication: 'klinkSignature', events: ['message.inbound'], options: {} });
		const count: INode = {
			id: 'static-user-count',
			name: COUNT,
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [440, 0],
			parameters: {
				jsCode: "const memory = $getWorkflowStaticData('global');\nmemory.count = (memory.count || 0) + 1;\nreturn [{ json: { count: memory.count } }];",
			},
		};
		workflow.nodes.push(count);
		workflow.connections[NEXT] = { main: [[{ node: COUNT, type: 'main', index: 0 }]] };
		server = await new WebhookServer({ workflow, credentials: { klinkSignatureApi: { signatureSecret: SECRET } } }).start();
		url = server.urlOf(TRIGGER);
	});

	afterAll(async () => {
		await server.stop();
	});

	it('keeps its record in memory only, so no save of its own can undo the workflow’s writes, and says so once', async () => {
		clearEngineLog();
		const send = async (event: unknown) => {
			const body = goJson(event);
			return (await postJson(url, body, { 'x-signature': sign(url, body) })).json;
		};
		const first = messageInbound();
		expect(await send(first)).toEqual({ received: true, started: true });
		expect((await server.executions[0]).json(COUNT)).toEqual([{ count: 1 }]);
		expect(await send(messageInbound())).toEqual({ received: true, started: true });
		expect((await server.executions[1]).json(COUNT)).toEqual([{ count: 2 }]);
		// The retry is still recognised, by this process's memory.
		expect(await send(first)).toEqual({ received: true, started: false, reason: 'duplicate delivery' });

		await new Promise((resolve) => setTimeout(resolve, 2500)); // past the moment a flush would have been saved
		expect(server.executions).toHaveLength(2);
		expect(server.savedStaticData.global).toEqual({ count: 2 });
		expect(server.savedStaticData[`node:${TRIGGER}`] ?? {}).not.toHaveProperty('seenRecord');
		const warnings = engineLog.filter((line) => line.level === 'warn' && line.message.includes("kept in this process's memory only"));
		expect(warnings.map((line) => line.message)).toEqual([expect.stringContaining(`"${COUNT}" use the workflow's static data`)]);
	});
});

describe('Klink Trigger versions: when klink.cloud is answered if Answer klink.cloud was never set', () => {
	const servers: WebhookServer[] = [];
	afterAll(async () => {
		await Promise.all(servers.map(async (server) => await server.stop()));
	});

	it.each([
		[1, {}, 'n8n'],
		[1.1, {}, 'n8n'],
		[1.1, { answerWhen: 'immediately' }, 'node'],
		[1, { answerWhen: 'stored' }, 'n8n'],
	] as const)('version %s with options %j: the answer is written by the %s', async (typeVersion, options, answeredBy) => {
		const id = `answer-v${String(typeVersion).replace('.', '-')}-${Object.keys(options).length}`;
		const server = await new WebhookServer({
			workflow: triggerWorkflow(id, { authentication: 'klinkSignature', events: ['message.inbound'], options }, typeVersion),
			credentials: { klinkSignatureApi: { signatureSecret: SECRET } },
		}).start();
		servers.push(server);
		const url = server.urlOf(TRIGGER);
		const body = goJson(messageInbound());
		// Either way klink.cloud reads the same answer; who writes it decides whether n8n has stored the run first.
		expect(await postJson(url, body, { 'x-signature': sign(url, body) })).toEqual({ status: 200, json: { received: true, started: true } });
		expect(server.answeredBy).toEqual([answeredBy]);
		expect((await server.executions[0]).run.status).toBe('success');
	});
});

describe('Klink Trigger on two webhook processes sharing one saved static data (queue mode)', () => {
	const workflow = triggerWorkflow('two-processes', { authentication: 'klinkSignature', events: ['message.inbound'], options: {} });
	const credentials = { klinkSignatureApi: { signatureSecret: SECRET } };
	const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));
	const send = async (server: WebhookServer, body: string, init: { signal?: AbortSignal } = {}) => {
		const target = server.urlOf(TRIGGER);
		return await fetch(target, { method: 'POST', body, signal: init.signal, headers: { 'content-type': 'application/json', 'x-signature': sign(target, body) } }).then(
			async (response) => ({ status: response.status, json: (await response.json()) as Record<string, unknown> }),
		);
	};

	it('answers a retry that reaches the other process while n8n has not yet answered the first delivery with 503, then as a duplicate: it runs once', async () => {
		const store: StaticDataStore = { saved: {} };
		// Process 1's n8n takes 3 s to store and answer the run (a loaded process, or Redis restarting).
		const first = await new WebhookServer({ workflow, credentials, staticDataStore: store, delayBeforeAnswerMs: 3000 }).start();
		try {
			await jest.isolateModulesAsync(async () => {
				// A fresh copy of every module: another process, with its own memory.
				const { WebhookServer: OtherProcess } = await import('./harness/webhookServer');
				const second = await new OtherProcess({ workflow, credentials, staticDataStore: store }).start();
				try {
					const event = messageInbound();
					const body = goJson(event);
					const firstAnswer = send(first, body);
					await sleep(1500); // the first process has sent its claim by now
					expect(await send(second, body)).toEqual({
						status: 503,
						json: { error: 'Service Unavailable', reason: 'another n8n process is starting this event; send it again' },
					});
					expect(await firstAnswer).toEqual({ status: 200, json: { received: true, started: true } });
					await waitUntilSaved(first, event.data.id);
					expect(await send(second, body)).toEqual({ status: 200, json: { received: true, started: false, reason: 'duplicate delivery' } });
					expect(first.executions.length + second.executions.length).toBe(1);
					// Once started, the claim is gone from the stored copy.
					expect(JSON.stringify(store.saved)).not.toContain('claims');
				} finally {
					await second.stop();
				}
			});
		} finally {
			await first.stop();
		}
	});

	it('does not start a delivery whose sender hung up before n8n got to it; klink’s retry starts it once', async () => {
		// n8n reads the request, then takes 1.5 s to call the node: klink (here 0.5 s) has given up by then.
		const server = await new WebhookServer({ workflow: triggerWorkflow('late', { authentication: 'klinkSignature', events: ['message.inbound'], options: {} }), credentials, delayBeforeNodeMs: 1500 }).start();
		try {
			const body = goJson(messageInbound());
			await expect(send(server, body, { signal: AbortSignal.timeout(500) })).rejects.toThrow();
			await sleep(2000);
			expect(server.executions).toHaveLength(0);
			expect(await send(server, body)).toEqual({ status: 200, json: { received: true, started: true } });
			await sleep(2000);
			expect(server.executions).toHaveLength(1);
		} finally {
			await server.stop();
		}
	});
});

describe('Klink Trigger warnings at activation', () => {
	const serve = async (id: string, options: INodeParameters, typeVersion: number) =>
		await new WebhookServer({
			workflow: triggerWorkflow(id, { authentication: 'klinkSignature', events: ['*'], options }, typeVersion),
			credentials: { klinkSignatureApi: { signatureSecret: SECRET } },
		}).start();
	const warnings = (text: string) => engineLog.filter((line) => line.level === 'warn' && line.message.includes(text));

	it('warns at every activation that answered events can be lost when set to Immediately, and that version 1 is slower on n8n 2.x; neither for a new trigger at its defaults', async () => {
		const immediately = await serve('warn-immediately', { answerWhen: 'immediately' }, 1.1);
		const versionOne = await serve('warn-version-1', {}, 1);
		const current = await serve('warn-default', {}, 1.1);
		try {
			clearEngineLog();
			await current.activate(TRIGGER);
			expect([...warnings('Immediately'), ...warnings('version 1')]).toEqual([]);
			await immediately.activate(TRIGGER);
			await immediately.activate(TRIGGER);
			expect(warnings('Answer klink.cloud is set to Immediately')).toHaveLength(2);
			expect(warnings('Answer klink.cloud is set to Immediately')[0].message).toContain('set it to When the Execution Is Stored');
			await versionOne.activate(TRIGGER);
			expect(warnings('is version 1')).toHaveLength(1);
			expect(warnings('is version 1')[0].message).toContain('replace it with a new Klink Trigger (version 1.1)');
		} finally {
			await Promise.all([immediately.stop(), versionOne.stop(), current.stop()]);
		}
	});
});
