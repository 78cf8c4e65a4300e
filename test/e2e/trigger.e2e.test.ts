import { currentMajor, e2eTarget, queueMode, readN8nLogs, restartInstance } from './harness/e2eState';
import { signWithGo } from './harness/goSigner';
import {
	conversationEvent,
	contactEvent,
	customChannelMessage,
	hardBodyRaw,
	messageInbound,
	messageOutbound,
} from './harness/klinkEvents';
import {
	createCredential,
	executionsStoredAfter,
	listExecutions,
	newestListedExecutionId,
	nodeOutput,
	waitForExecutions,
	waitForWebhookRoute,
	type ApiTarget,
} from './harness/n8nApi';
import { sleepMs } from './harness/n8nInstance';
import { deployTrigger, postRaw, postRetriedOn5xx, TRIGGER_NAME } from './harness/triggerDeploy';

const SECRET = 'klink-e2e-signature-secret-7f3a9c';
const PREVIOUS_SECRET = 'klink-e2e-previous-secret-1b2c3d';
const HEADER_VALUE = 'Bearer klink-e2e-header-token-42';
const BASIC = { user: 'klink', password: 'klink-e2e-basic-password-99' };

let target: ApiTarget;

beforeAll(() => ({ target } = e2eTarget()));

/** Posts `body` signed by the real Go signer over the node's production URL (and optional query). */
async function signedPost(url: string, body: unknown, options: { secret?: string; query?: string; raw?: string } = {}) {
	const raw = options.raw ?? JSON.stringify(body);
	const signature = signWithGo({ secret: options.secret ?? SECRET, url, query: options.query ?? '', body: raw });
	const fullUrl = options.query ? `${url}?${options.query}` : url;
	return await postRaw(fullUrl, raw, { 'x-signature': signature });
}

/** Proves that nothing else started: after a sentinel event has run, exactly `expected` executions exist. */
async function expectExecutionCountAfterSentinel(workflowId: string, url: string, expected: number, send = signedPost) {
	const sentinel = messageInbound({ text: 'sentinel' });
	expect((await send(url, sentinel)).status).toBe(200);
	const executions = await waitForExecutions(target, workflowId, expected);
	await new Promise((resolve) => setTimeout(resolve, 500));
	const all = await listExecutions(target, workflowId);
	expect(all).toHaveLength(expected);
	const last = executions[executions.length - 1];
	expect(nodeOutput(last, TRIGGER_NAME)[0].text).toBe('sentinel');
	return all;
}

describe('Klink Trigger with Klink Signature', () => {
	let workflowId: string;
	let url: string;

	beforeAll(async () => {
		const credential = await createCredential(target, 'klinkSignatureApi', {
			signatureSecret: SECRET,
			previousSignatureSecret: PREVIOUS_SECRET,
		});
		({ workflowId, url } = await deployTrigger(
			target,
			'signature',
			{ authentication: 'klinkSignature', events: ['*'] },
			{ klinkSignatureApi: credential },
		));
	});

	it('starts one execution per event type, signed by Go, with the simplified item', async () => {
		const bodies = [
			messageInbound(),
			messageOutbound(),
			contactEvent('contact.created'),
			contactEvent('contact.updated'),
			customChannelMessage('message.received'),
			customChannelMessage('message.sent'),
			conversationEvent('conversation.created'),
			conversationEvent('conversation.closed'),
		];
		for (const body of bodies) {
			const result = await signedPost(url, body);
			expect({ status: result.status, body: JSON.parse(result.body) }).toEqual({
				status: 200,
				body: { received: true, started: true },
			});
		}
		const executions = await waitForExecutions(target, workflowId, bodies.length);
		const items = executions.map((execution) => nodeOutput(execution, TRIGGER_NAME)[0]);
		expect(items.map((item) => item.event)).toEqual(bodies.map((body) => body.event));

		const inbound = bodies[0] as ReturnType<typeof messageInbound>;
		expect(items[0]).toEqual({
			event: 'message.inbound',
			messageId: inbound.data.id,
			conversationId: inbound.data.roomId,
			contactId: inbound.data.contactId,
			channel: 'whatsapp',
			direction: 'incoming',
			text: inbound.data.message,
			sender: null,
			unreadCount: 1,
			isGroup: false,
			isAiAgentRoom: false,
			timestamp: inbound.timestamp,
		});
		const created = bodies[2] as ReturnType<typeof contactEvent>;
		expect(items[2]).toMatchObject({ event: 'contact.created', contactId: created.data.id, messageId: null });
		const received = bodies[4] as ReturnType<typeof customChannelMessage>;
		expect(items[4]).toMatchObject({
			channel: 'custom',
			direction: 'incoming',
			conversationId: received.conversationId,
			text: received.message.content,
			sender: { id: 'user-123', name: 'John Doe', role: 'customer' },
		});
		expect(items[7]).toMatchObject({ event: 'conversation.closed', conversationId: (bodies[7] as { conversationId: string }).conversationId });
	});

	// Version 1 too: a workflow saved before 1.1 existed must not lose answered events on n8n 2.x.
	it.each([1, 1.1])('version %s answers "when the execution is stored" unless told otherwise, with the same JSON body', async (typeVersion) => {
		const credential = await createCredential(target, 'klinkSignatureApi', { signatureSecret: SECRET });
		const stored = await deployTrigger(
			target,
			`signature, version ${typeVersion}, answer left at its default`,
			{ authentication: 'klinkSignature', events: ['*'], options: {} },
			{ klinkSignatureApi: credential },
			typeVersion,
		);
		const event = messageInbound();
		const newestBefore = await newestListedExecutionId(target);
		const first = await signedPost(stored.url, event);
		// n8n answers here, not the trigger: without the node's own response data n8n would send "firstEntryJson".
		expect({ status: first.status, body: first.body }).toEqual({ status: 200, body: JSON.stringify({ received: true, started: true }) });
		// n8n 2.x sends that answer only once it has stored the execution (1.x answers before storing either way).
		if (currentMajor() === 2) expect(await executionsStoredAfter(target, stored.workflowId, newestBefore)).toHaveLength(1);
		const retry = await signedPost(stored.url, event);
		expect({ status: retry.status, body: JSON.parse(retry.body) }).toEqual({
			status: 200,
			body: { received: true, started: false, reason: 'duplicate delivery' },
		});
		const executions = await waitForExecutions(target, stored.workflowId, 1);
		expect(nodeOutput(executions[0], TRIGGER_NAME)[0].messageId).toBe(event.data.id);
	});

	it('accepts a Go-signed body full of unicode, HTML, nesting and numbers, and rejects every tampered variant', async () => {
		const before = (await listExecutions(target, workflowId)).length;
		const { raw, text } = hardBodyRaw();
		const signature = signWithGo({ secret: SECRET, url, body: raw });

		expect((await postRaw(url, raw, { 'x-signature': signature })).status).toBe(200);

		const tampered: Array<[string, string, Record<string, string>]> = [
			['one character of the body changed', raw.replace('こんにちは', 'こんにちわ'), { 'x-signature': signature }],
			['a number changed', raw.replace('3.141592653589793', '3.141592653589794'), { 'x-signature': signature }],
			['one hex digit of the signature changed', raw, { 'x-signature': flipHex(signature) }],
			['signature missing', raw, {}],
			['signature not hex', raw, { 'x-signature': 'z'.repeat(64) }],
			['signature truncated', raw, { 'x-signature': signature.slice(0, 63) }],
			['signed with a wrong secret', raw, { 'x-signature': signWithGo({ secret: 'wrong-secret', url, body: raw }) }],
			['signed for another URL', raw, { 'x-signature': signWithGo({ secret: SECRET, url: `${url}x`, body: raw }) }],
			['signed for GET', raw, { 'x-signature': signWithGo({ secret: SECRET, method: 'GET', url, body: raw }) }],
		];
		for (const [what, tamperedBody, headers] of tampered) {
			const result = await postRaw(url, tamperedBody, headers);
			expect({ what, status: result.status }).toEqual({ what, status: 401 });
		}

		// The same JSON with its keys in another order normalizes to the same bytes: still klink's event,
		// and a retry of the first one (same message id), so it is answered without a second execution.
		const reorder = (text: string) => text.replace('"alpha": null, ', '').replace('"zeta":', '"alpha": null, "zeta":');
		expect(reorder(raw)).not.toBe(raw);
		const retried = await postRaw(url, reorder(raw), { 'x-signature': signature });
		expect({ status: retried.status, body: JSON.parse(retried.body) }).toMatchObject({ status: 200, body: { started: false, reason: 'duplicate delivery' } });
		const fresh = hardBodyRaw();
		const freshSignature = signWithGo({ secret: SECRET, url, body: fresh.raw });
		const reordered = await postRaw(url, reorder(fresh.raw), { 'x-signature': freshSignature });
		expect({ status: reordered.status, body: JSON.parse(reordered.body) }).toEqual({ status: 200, body: { received: true, started: true } });

		const all = await expectExecutionCountAfterSentinel(workflowId, url, before + 2 + 1);
		const hardItem = nodeOutput(all.sort((a, b) => Number(a.id) - Number(b.id))[before], TRIGGER_NAME)[0];
		expect(hardItem.text).toBe(text);
	});

	it('accepts the previous secret, the Authorization header and a signed query string', async () => {
		const before = (await listExecutions(target, workflowId)).length;
		expect((await signedPost(url, messageInbound(), { secret: PREVIOUS_SECRET })).status).toBe(200);

		const raw = JSON.stringify(messageInbound());
		const signature = signWithGo({ secret: SECRET, url, body: raw });
		expect((await postRaw(url, raw, { authorization: `HMAC-SHA256 ${signature.toUpperCase()}` })).status).toBe(200);
		expect((await postRaw(url, raw.replace('incoming', 'incoming '), { authorization: `sha256=${signature}` })).status).toBe(401);

		const query = 'tenant=acme&b=2&a=1&a=0&name=J%C3%BCrgen+K';
		expect((await signedPost(url, messageInbound(), { query })).status).toBe(200);
		await expectExecutionCountAfterSentinel(workflowId, url, before + 3 + 1);
	});

	it('warns on activation that klink cannot reach a webhook URL on this machine', () => {
		const log = readN8nLogs();
		expect(log).toContain(`Klink Trigger "Klink Trigger": klink.cloud cannot reach ${url} (127.0.0.1 is this machine only)`);
	});

	it('logs one line for a rejected request, without the secret', async () => {
		const raw = JSON.stringify(messageInbound());
		const result = await postRaw(url, raw, { 'x-signature': signWithGo({ secret: 'nope', url, body: raw }) });
		expect(result.status).toBe(401);
		expect(result.body).not.toContain(SECRET);
		const log = readN8nLogs();
		expect(log).toMatch(/Klink Trigger "Klink Trigger": rejected a request with 401: signature does not match/);
		expect(log).not.toContain(SECRET);
		expect(log).not.toContain(PREVIOUS_SECRET);
	});

	it('starts a retried event once, also after n8n restarts', async () => {
		const before = (await listExecutions(target, workflowId)).length;
		const event = messageInbound({ text: 'retried by klink' });
		const first = await signedPost(url, event);
		expect(JSON.parse(first.body)).toEqual({ received: true, started: true });
		await waitForExecutions(target, workflowId, before + 1);

		const retry = await signedPost(url, event);
		expect(retry.status).toBe(200);
		expect(JSON.parse(retry.body)).toMatchObject({ started: false, reason: 'duplicate delivery' });

		// The record is saved within about a second of an event (README, "Retried deliveries").
		await sleepMs(2000);
		const restarted = await restartInstance();
		target = { ...target, baseUrl: restarted.baseUrl };
		await waitForWebhookRoute(url);
		const afterRestart = await signedPost(url, event);
		expect(afterRestart.status).toBe(200);
		expect(JSON.parse(afterRestart.body)).toMatchObject({ started: false, reason: 'duplicate delivery' });

		await expectExecutionCountAfterSentinel(workflowId, url, before + 1 + 1);
	});
});

describe('Klink Trigger reads the event from the bytes it verified', () => {
	// n8n parses the body of a version 1 trigger for any content type, and of a later version only for JSON, text,
	// form and XML ones: the trigger reads whatever n8n left unread itself.
	it.each([1, 1.1])('version %s starts a validly signed JSON event whatever the content type says', async (typeVersion) => {
		const credential = await createCredential(target, 'klinkSignatureApi', { signatureSecret: SECRET });
		const { workflowId, url } = await deployTrigger(
			target,
			`content types, version ${typeVersion}`,
			{ authentication: 'klinkSignature', events: ['message.inbound'] },
			{ klinkSignatureApi: credential },
			typeVersion,
		);
		const types = ['application/x-www-form-urlencoded', 'text/plain', 'application/json; charset=utf-8', 'application/octet-stream'];
		const events = types.map((type) => messageInbound({ text: `sent as ${type}` }));
		for (const [index, type] of types.entries()) {
			const raw = JSON.stringify(events[index]);
			const result = await postRaw(url, raw, { 'content-type': type, 'x-signature': signWithGo({ secret: SECRET, url, body: raw }) });
			expect({ type, status: result.status, body: JSON.parse(result.body) }).toEqual({ type, status: 200, body: { received: true, started: true } });
		}
		const executions = await waitForExecutions(target, workflowId, types.length);
		expect(executions.map((e) => nodeOutput(e, TRIGGER_NAME)[0].text).sort()).toEqual(events.map((e) => e.data.message).sort());
	});
});

describe('Klink Trigger behind a reverse proxy', () => {
	it('refuses a signature made for the URL as it arrived, and logs which URL klink signed', async () => {
		const credential = await createCredential(target, 'klinkSignatureApi', { signatureSecret: SECRET });
		const { webhookId, url } = await deployTrigger(target, 'proxy', { authentication: 'klinkSignature', events: ['*'] }, { klinkSignatureApi: credential });
		const publicUrl = `https://hooks.example.com/webhook/${webhookId}/klink`;
		const raw = JSON.stringify(messageInbound());
		const signature = signWithGo({ secret: SECRET, url: publicUrl, body: raw });
		const result = await postRaw(url, raw, { 'x-signature': signature, 'x-forwarded-host': 'hooks.example.com', 'x-forwarded-proto': 'https' });
		expect(result.status).toBe(401);
		const log = readN8nLogs();
		expect(log).toContain(`rejected a request with 401: signature does not match ${url}, but matches ${publicUrl}, the URL the request arrived on: klink signed ${publicUrl}.`);
		expect(log).toContain(`Set Options → Signed URL to ${publicUrl}`);
	});
});

describe('Klink Trigger filters', () => {
	let workflowId: string;
	let url: string;

	beforeAll(async () => {
		const credential = await createCredential(target, 'klinkSignatureApi', { signatureSecret: SECRET });
		({ workflowId, url } = await deployTrigger(
			target,
			'filters',
			{
				authentication: 'klinkSignature',
				events: ['message.inbound'],
				filters: {
					channels: ['whatsapp'],
					otherChannels: 'wechat',
					minUnreadCount: 2,
					direction: 'incoming',
					groupChats: 'exclude',
					aiAgentRooms: 'exclude',
					keywords: 'refund, urgent',
				},
			},
			{ klinkSignatureApi: credential },
		));
	});

	it('starts only matching events and answers the others 200 without an execution', async () => {
		const matching = { text: 'I want a REFUND', unreadCount: 3 };
		const cases: Array<[string, unknown, boolean]> = [
			['matching whatsapp', messageInbound(matching), true],
			['other channel typed by the user', messageInbound({ ...matching, channel: 'wechat' }), true],
			['event not selected', { ...messageInbound(matching), event: 'message.outbound' }, false],
			['channel not selected', messageInbound({ ...matching, channel: 'telegram' }), false],
			['unread count below 2', messageInbound({ ...matching, unreadCount: 1 }), false],
			['outgoing', messageInbound({ ...matching, direction: 'outgoing' }), false],
			['group chat', messageInbound({ ...matching, isGroup: true }), false],
			['AI agent room', messageInbound({ ...matching, isAiAgentRoom: true }), false],
			['no keyword', messageInbound({ ...matching, text: 'hello there' }), false],
		];
		const timings: number[] = [];
		for (const [what, body, started] of cases) {
			const result = await signedPost(url, body);
			expect({ what, status: result.status, started: JSON.parse(result.body).started }).toEqual({ what, status: 200, started });
			if (!started) timings.push(result.ms);
		}
		console.log(`filtered events answered in ${timings.map((ms) => ms.toFixed(1)).join(', ')} ms`);
		const executions = await waitForExecutions(target, workflowId, 2);
		expect(executions.map((e) => nodeOutput(e, TRIGGER_NAME)[0].channel)).toEqual(['whatsapp', 'wechat']);
		// A later matching event becomes the third execution: nothing filtered slipped in between.
		expect((await signedPost(url, messageInbound(matching))).status).toBe(200);
		await waitForExecutions(target, workflowId, 3);
		expect(await listExecutions(target, workflowId)).toHaveLength(3);
	});
});

describe('Klink Trigger with header, basic and no authentication', () => {
	it('header auth: accepts the configured header, rejects a wrong or missing one, keeps it out of the item', async () => {
		const credential = await createCredential(target, 'klinkHeaderAuthApi', { name: 'Authorization', value: HEADER_VALUE });
		const { workflowId, url } = await deployTrigger(
			target,
			'header auth',
			{ authentication: 'headerAuth', events: ['*'], options: { includeRaw: true } },
			{ klinkHeaderAuthApi: credential },
		);
		const body = JSON.stringify(customChannelMessage('message.received'));
		expect((await postRaw(url, body, { authorization: 'Bearer wrong' })).status).toBe(401);
		expect((await postRaw(url, body)).status).toBe(401);
		expect((await postRaw(url, body, { authorization: HEADER_VALUE })).status).toBe(200);
		const [execution] = await waitForExecutions(target, workflowId, 1);
		const item = nodeOutput(execution, TRIGGER_NAME)[0] as { headers: Record<string, string>; body: unknown };
		expect(item.headers.authorization).toBe('[redacted]');
		expect(item.body).toEqual(JSON.parse(body));
		expect(JSON.stringify(execution)).not.toContain(HEADER_VALUE);
	});

	it('basic auth: accepts the user and password, rejects others', async () => {
		const credential = await createCredential(target, 'klinkBasicAuthApi', BASIC);
		const { workflowId, url } = await deployTrigger(
			target,
			'basic auth',
			{ authentication: 'basicAuth', events: ['*'] },
			{ klinkBasicAuthApi: credential },
		);
		const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
		const body = JSON.stringify(messageInbound());
		expect((await postRaw(url, body, { authorization: basic(BASIC.user, 'wrong') })).status).toBe(401);
		expect((await postRaw(url, body)).status).toBe(401);
		expect((await postRaw(url, body, { authorization: basic(BASIC.user, BASIC.password) })).status).toBe(200);
		await waitForExecutions(target, workflowId, 1);
		expect(await listExecutions(target, workflowId)).toHaveLength(1);
	});

	it('none: accepts any JSON event and answers malformed bodies 4xx without an execution', async () => {
		const { workflowId, url } = await deployTrigger(target, 'no auth', { authentication: 'none', events: ['*'] });
		// Broken JSON is refused by n8n's own body parser (422) before the node runs; both are clear 4xx answers.
		expect([400, 422]).toContain((await postRaw(url, '{"event": "message.inbound", "data": ')).status);
		expect((await postRaw(url, '"just a string"')).status).toBe(400);
		expect((await postRaw(url, '[1, 2, 3]')).status).toBe(400);
		const result = await postRaw(url, JSON.stringify({ event: 'some.future.event', data: { id: 'x-1' }, extra: true }));
		expect(result.status).toBe(200);
		const [execution] = await waitForExecutions(target, workflowId, 1);
		expect(nodeOutput(execution, TRIGGER_NAME)[0]).toMatchObject({ event: 'some.future.event' });
		expect(await listExecutions(target, workflowId)).toHaveLength(1);
	});
});

function flipHex(hex: string): string {
	const last = hex[hex.length - 1];
	return hex.slice(0, -1) + (last === '0' ? '1' : '0');
}

describe('Klink Trigger IP allowlist', () => {
	const KLINK_ADDRESS = '51.79.216.180';

	afterAll(async () => {
		const restored = await restartInstance();
		target = { ...target, baseUrl: restored.baseUrl };
	});

	it("refuses other addresses with 403, follows N8N_PROXY_HOPS for the client address behind a proxy", async () => {
		// In queue mode as the README says: answered once n8n has queued the run (a 500, which klink retries, if not).
		const answerWhen = queueMode() ? 'stored' : 'immediately';
		const klinkOnly = await deployTrigger(target, 'ip allowlist klink', { authentication: 'none', events: ['*'], options: { ipAllowlist: KLINK_ADDRESS, answerWhen } });
		const local = await deployTrigger(target, 'ip allowlist local', { authentication: 'none', events: ['*'], options: { ipAllowlist: '10.0.0.0/8, 127.0.0.1', answerWhen } });
		const body = () => JSON.stringify(messageInbound());

		// This test runs on 127.0.0.1; without N8N_PROXY_HOPS n8n ignores X-Forwarded-For, as it should.
		const refused = await postRaw(klinkOnly.url, body());
		expect({ status: refused.status, body: JSON.parse(refused.body) }).toEqual({ status: 403, body: { error: 'Forbidden' } });
		expect((await postRaw(klinkOnly.url, body(), { 'x-forwarded-for': KLINK_ADDRESS })).status).toBe(403);
		expect((await postRaw(local.url, body())).status).toBe(200);
		expect(readN8nLogs()).toMatch(/rejected a request with 403: address (::ffff:)?127\.0\.0\.1 is not in the IP allowlist/);

		// Behind one proxy hop, n8n takes the client address from X-Forwarded-For. In queue mode the request
		// passes nginx too (which appends the address it saw): the test's header plays a proxy in front of nginx.
		const restarted = await restartInstance({ N8N_PROXY_HOPS: queueMode() ? '2' : '1' });
		target = { ...target, baseUrl: restarted.baseUrl };
		await waitForWebhookRoute(klinkOnly.url);
		// The first request after a restart of every process; klink sends a 5xx again.
		expect((await postRetriedOn5xx(klinkOnly.url, body(), { 'x-forwarded-for': KLINK_ADDRESS })).status).toBe(200);
		expect((await postRaw(klinkOnly.url, body(), { 'x-forwarded-for': '203.0.113.9' })).status).toBe(403);

		// If an accepted event never ran, n8n's errors after the restart say why.
		const withN8nErrors = (error: Error) => {
			const errors = readN8nLogs().split('\n').filter((line) => /error|fail/i.test(line)).slice(-15);
			throw new Error(`${error.message}\nn8n's last error lines:\n${errors.join('\n')}`);
		};
		await waitForExecutions(target, klinkOnly.workflowId, 1).catch(withN8nErrors);
		await waitForExecutions(target, local.workflowId, 1).catch(withN8nErrors);
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(await listExecutions(target, klinkOnly.workflowId)).toHaveLength(1);
		expect(await listExecutions(target, local.workflowId)).toHaveLength(1);
	});
});
