import { deployActionWorkflow, sendItems } from './harness/actionDeploy';
import { apiTarget, queueMode, readQueue, readState, writeQueue } from './harness/e2eState';
import { signWithGo } from './harness/goSigner';
import { InboundStandIn } from './harness/inboundStandIn';
import { messageInbound } from './harness/klinkEvents';
import { createCredential, listExecutions, nodeOutput, waitForExecutions, type ApiTarget, type ExecutionSummary } from './harness/n8nApi';
import { sleepMs } from './harness/n8nInstance';
import { frontUpstreams, killWebhookProcess, processesThatRan, restartWebhookProcess, type QueueTopology } from './harness/queueTopology';
import { deployTrigger, postRaw, TRIGGER_NAME } from './harness/triggerDeploy';

/**
 * What only queue mode has (KLINK_E2E_QUEUE=1; skipped otherwise): production webhooks served by two
 * `n8n webhook` processes behind nginx, executions run by `n8n worker` processes. Which process ran an
 * execution is read from the workers' logs ("Worker started execution <id> (job <n>)": n8n records no worker
 * in the execution itself); which webhook process served a request through a front, from nginx's access log.
 * Requests are signed for the Production URL (the public front) whichever route they take, as klink signs
 * the URL it was given.
 */
const describeQueue = queueMode() ? describe : describe.skip;
const SECRET = 'klink-e2e-queue-signature-secret-5e1d';

let target: ApiTarget;
let queue: QueueTopology;

beforeAll(() => {
	if (!queueMode()) return;
	target = apiTarget(readState());
	queue = readQueue();
});

/** The same webhook path on another base: a webhook process's own port (no nginx), or one of the fronts. */
function via(url: string, base: string): string {
	return url.replace(queue.frontUrl, base);
}

function direct(url: string, processIndex: number): string {
	return via(url, `http://127.0.0.1:${queue.webhooks[processIndex - 1].port}/`);
}

const pinned = (url: string) => via(url, queue.pinnedFrontUrl);
const roundRobin = (url: string) => via(url, queue.roundRobinFrontUrl);
const portOf = (base: string) => Number(new URL(base).port);

/** Signed for the Production URL (the front), as klink signs it, and posted to `to`. */
async function signedPost(url: string, to: string, body: unknown, secret = SECRET) {
	const raw = JSON.stringify(body);
	return await postRaw(to, raw, { 'x-signature': signWithGo({ secret, url, body: raw }) });
}


function expectRunOnAWorker(executions: ExecutionSummary[]): void {
	const ranOn = executions.map((execution) => ({ id: execution.id, ranOn: processesThatRan(queue, execution.id) }));
	for (const { id, ranOn: names } of ranOn) {
		expect({ id, names }).toEqual({ id, names: [expect.stringMatching(/^worker-[12]$/)] });
	}
}

function webhookPort(upstream: string): number {
	// After a failed attempt nginx lists every upstream it tried ("127.0.0.1:5803, 127.0.0.1:5804"): the last
	// one answered.
	return Number(upstream.split(',').pop()?.trim().split(':').pop());
}

describeQueue('Klink Trigger in queue mode', () => {
	let workflowId: string;
	let webhookId: string;
	let url: string;

	beforeAll(async () => {
		const credential = await createCredential(target, 'klinkSignatureApi', { signatureSecret: SECRET });
		({ workflowId, webhookId, url } = await deployTrigger(
			target,
			'queue mode',
			{ authentication: 'klinkSignature', events: ['message.inbound'], filters: { channels: ['whatsapp'] } },
			{ klinkSignatureApi: credential },
		));
		expect(url.startsWith(queue.frontUrl)).toBe(true);
	});

	it('starts one execution, run by a worker, for a signed event through each webhook process, directly and through both fronts', async () => {
		const routes: Array<[string, string]> = [
			['webhook-1 directly', direct(url, 1)],
			['webhook-2 directly', direct(url, 2)],
			['round-robin front 1', roundRobin(url)],
			['round-robin front 2', roundRobin(url)],
			['round-robin front 3', roundRobin(url)],
			['round-robin front 4', roundRobin(url)],
			['klink-pinned front 1', pinned(url)],
			['klink-pinned front 2', pinned(url)],
		];
		for (const [route, to] of routes) {
			const result = await signedPost(url, to, messageInbound({ text: `via ${route}` }));
			expect({ route, status: result.status, body: JSON.parse(result.body) }).toEqual({
				route,
				status: 200,
				body: { received: true, started: true },
			});
		}
		const executions = await waitForExecutions(target, workflowId, routes.length);
		expect(executions.map((e) => nodeOutput(e, TRIGGER_NAME)[0].text).sort()).toEqual(routes.map(([route]) => `via ${route}`).sort());
		expect(executions.every((e) => e.status === 'success')).toBe(true);
		expectRunOnAWorker(executions);

		// The round-robin front alternated between both webhook processes; the pinned one used process 1 only.
		const accepted = frontUpstreams(queue, webhookId).filter((entry) => entry.status === 200);
		const [w1, w2] = queue.webhooks.map((p) => p.port);
		const byFront = (port: number) => accepted.filter((entry) => entry.port === port).map((entry) => webhookPort(entry.upstream));
		expect(new Set(byFront(portOf(queue.roundRobinFrontUrl)))).toEqual(new Set([w1, w2]));
		// The trigger's own dedupe flushes go through the public (pinned) front as well, also to process 1.
		const pinnedUpstreams = byFront(portOf(queue.pinnedFrontUrl));
		expect(new Set(pinnedUpstreams)).toEqual(new Set([w1]));
		expect(pinnedUpstreams.length).toBeGreaterThanOrEqual(2);
	});

	it('starts nothing for forged or filtered events, on any route', async () => {
		const before = (await listExecutions(target, workflowId)).length;
		const routes = [direct(url, 1), direct(url, 2), roundRobin(url), roundRobin(url), pinned(url)];
		for (const to of routes) {
			const forged = await signedPost(url, to, messageInbound({ text: 'forged' }), 'not-the-secret');
			expect({ to, status: forged.status }).toEqual({ to, status: 401 });
			const filtered = await signedPost(url, to, messageInbound({ text: 'filtered', channel: 'telegram' }));
			expect({ to, status: filtered.status, started: JSON.parse(filtered.body).started }).toEqual({ to, status: 200, started: false });
		}
		// A sentinel event afterwards is the only new execution.
		expect((await signedPost(url, pinned(url), messageInbound({ text: 'sentinel' }))).status).toBe(200);
		const executions = await waitForExecutions(target, workflowId, before + 1);
		await sleepMs(1000);
		const all = await listExecutions(target, workflowId);
		expect(all).toHaveLength(before + 1);
		expect(nodeOutput(executions[executions.length - 1], TRIGGER_NAME)[0].text).toBe('sentinel');
	});

	it('klink-pinned front: the backup serves while webhook process 1 is down, process 1 again once it is back', async () => {
		const before = (await listExecutions(target, workflowId)).length;
		const [w1, w2] = queue.webhooks.map((p) => p.port);
		const events = () => frontUpstreams(queue, webhookId).filter((entry) => !entry.flush);
		const lastUpstream = (port: number) => {
			const entries = events().filter((entry) => entry.port === port);
			return webhookPort(entries[entries.length - 1].upstream);
		};
		let sent = 0;
		const send = async (to: string, text: string) => {
			const logged = events().length;
			const result = await signedPost(url, to, messageInbound({ text }));
			// nginx writes its access log line after the answer has gone out: wait for it before reading it.
			for (let waited = 0; events().length === logged && waited < 5000; waited += 50) await sleepMs(50);
			// On failure: what the front answered (nginx's own pages are HTML) and the servers it tried.
			const tried = result.status === 200 ? undefined : events().slice(-1)[0];
			expect({ text, status: result.status, body: result.body.slice(0, 200), tried }).toEqual({
				text,
				status: 200,
				body: JSON.stringify({ received: true, started: true }),
			});
			sent++;
		};

		queue = await killWebhookProcess(queue, 1);
		writeQueue(queue);
		try {
			await send(pinned(url), 'pinned, webhook-1 down');
			expect(lastUpstream(portOf(queue.pinnedFrontUrl))).toBe(w2);
			// The round-robin front passes a refused connection on to the other process too.
			await send(roundRobin(url), 'round-robin front, webhook-1 down (1)');
			await send(roundRobin(url), 'round-robin front, webhook-1 down (2)');
			expect(lastUpstream(portOf(queue.roundRobinFrontUrl))).toBe(w2);
		} finally {
			queue = await restartWebhookProcess(queue, 1);
			writeQueue(queue);
		}
		// nginx retries a failed server after fail_timeout (10 s): until then the backup keeps serving.
		const deadline = Date.now() + 30_000;
		let servedBy = 0;
		while (Date.now() < deadline) {
			await send(pinned(url), 'pinned, webhook-1 back');
			servedBy = lastUpstream(portOf(queue.pinnedFrontUrl));
			if (servedBy === w1) break;
			await sleepMs(1000);
		}
		expect(servedBy).toBe(w1);
		const executions = await waitForExecutions(target, workflowId, before + sent);
		expectRunOnAWorker(executions.slice(before));
	});
});

describeQueue('Klink node in queue mode', () => {
	const standIn = new InboundStandIn();

	beforeAll(async () => {
		await standIn.start();
	});

	afterAll(async () => {
		await standIn.stop();
	});

	it('sends from a worker, answered through the webhook process the request came in on', async () => {
		const credential = await createCredential(target, 'klinkCustomChannelApi', { inboundUrl: standIn.url });
		const { workflowId, url } = await deployActionWorkflow(target, 'queue send', credential);
		standIn.reset();
		const result = await sendItems(url, [{ content: 'sent by a worker', senderId: 'user-1', senderName: 'Mai' }]);
		expect(result.status).toBe(200);
		expect((result.body as Array<{ statusCode: number }>)[0]).toMatchObject({ statusCode: 200 });
		expect(standIn.requests.map((r) => r.body.content)).toEqual(['sent by a worker']);

		// The route probe (an empty list) and the send: both executions ran on a worker.
		const executions = await waitForExecutions(target, workflowId, 2);
		expect(executions.map((e) => e.status)).toEqual(['success', 'success']);
		expectRunOnAWorker(executions);
		expect(nodeOutput(executions[1], 'Klink')[0]).toMatchObject({ statusCode: 200 });
	});
});
