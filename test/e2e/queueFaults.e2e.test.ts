import { apiTarget, readQueue, readState, writeQueue } from './harness/e2eState';
import { signBatchWithGo } from './harness/goSigner';
import { messageInbound } from './harness/klinkEvents';
import { runCounts, sendLikeKlink, type DeliveryOutcome, type SendOptions, type SignedDelivery } from './harness/klinkSender';
import { createCredential, listExecutions, type ApiTarget } from './harness/n8nApi';
import { reportFigures } from './harness/figures';
import { sleepMs } from './harness/n8nInstance';
import { killWebhookProcess, restartPostgres, restartRedis, restartWebhookProcess, type QueueTopology } from './harness/queueTopology';
import { RecordingServer } from './harness/recordingServer';
import { deployRecordingWorkflow, markersIn, runMarker, type StartNode } from './harness/recordingWorkflow';

/**
 * Faults in queue mode (run only with KLINK_E2E_QUEUE=1, by scripts/e2e.sh): bursts of Go-signed events over
 * both webhook processes, sent as klink sends them (an attempt without a 2xx within 10 s is sent again, same
 * bytes, same signature, after a delay, here tenfold shorter than klink's, and once more when klink's own last
 * retry would come), while a webhook process is killed, Redis or PostgreSQL restarted.
 * Every run reports itself to a recording server, so each round counts, per event: answered 2xx, ran, lost
 * (answered 2xx, never ran, and no execution of it in n8n), failed in n8n (answered 2xx, held by n8n in an
 * execution that did not succeed, which n8n lists with its status: error, crashed, new...) and doubled
 * (ran more than once). Each round is bounded in count and time.
 */
const SECRET = 'klink-e2e-faults-secret-7a3c';
/** klink waits 30, 60, 90 s between attempts; the suite waits a tenth of that: 3, 6, 9, 12 s. */
const RETRY_DELAY_MS = 3000;
/**
 * When klink's last retry of an event comes at the latest: 4 attempts of 10 s with 30, 60 and 90 s between.
 * An event the tenfold-faster attempts left unanswered (n8n too loaded for a while) is sent once more then.
 * `npm test` sends it sooner (KLINK_FAULTS_LAST_RETRY_MS, scripts/e2e.sh); `npm run soak` waits the whole span.
 */
const KLINK_RETRY_SPAN_MS = Number(process.env.KLINK_FAULTS_LAST_RETRY_MS ?? 220_000);
/**
 * Events in a burst with a fault (a kill, a restart); the round over both processes without a fault sends 2.5
 * times as many. `npm test` sends 100 (scripts/e2e.sh), `npm run soak` 200: 100 still catch a doubled or lost
 * event, a fault mid-burst meets events in every state.
 */
const FAULT_BURST = Number(process.env.KLINK_FAULTS_EVENTS ?? 200);
const CROSS_BURST = Math.round(FAULT_BURST * 2.5);

/** A round: the burst with its retries, the fault, klink's last retry if needed, and waiting for the runs. */
const ROUND_TIMEOUT_MS = 420_000;

let target: ApiTarget;
let queue: QueueTopology;
const recorder = new RecordingServer();
const figures: string[] = [];

beforeAll(async () => {
	target = apiTarget(readState());
	queue = readQueue();
	await recorder.start();
});

afterAll(async () => {
	await recorder.stop();
	reportFigures(`n8n ${target.major}.x in queue mode, faults (klink's last retry ${KLINK_RETRY_SPAN_MS / 1000} s after a burst began)`, figures);
});

/** The same webhook path on webhook process `index` (1-based), without nginx. */
function direct(url: string, index: number): string {
	return url.replace(queue.frontUrl, `http://127.0.0.1:${queue.webhooks[index - 1].port}/`);
}

/** Deliveries to webhook process 1 and 2 in turn. */
function alternately(url: string): (index: number) => string {
	return (index) => direct(url, (index % 2) + 1);
}

/**
 * A fault once 60% of the burst's first attempts have gone out (50 in flight, the rest still to come, whatever
 * the burst's size); the topology it leaves is kept for the tests after it.
 */
function midBurst(fault: (topology: QueueTopology) => QueueTopology | Promise<QueueTopology>): Fault {
	return async (midway) => {
		await midway;
		queue = await fault(queue);
		writeQueue(queue);
	};
}

/** Runs beside a burst; `midway` resolves once 60% of its first attempts have gone out. */
type Fault = (midway: Promise<void>) => Promise<void>;

interface Round {
	name: string;
	markers: string[];
	deliveries: SignedDelivery[];
	outcomes: DeliveryOutcome[];
	/** Answered 2xx within the 5 tenfold-faster attempts. */
	answeredQuickly: number;
	answered2xx: number;
	ran: number;
	lost: string[];
	failedInN8n: string[];
	doubled: string[];
}

let rounds = 0;

/**
 * n8n's Webhook node, or the Klink Trigger of `typeVersion` with every option at its default (answered once
 * n8n has stored and queued the run), as a user adds it (1.1) or saved it before 1.1 existed (1).
 */
async function deploy(start: 'klink' | 'webhook', typeVersion = 1.1): Promise<{ url: string; workflowId: string }> {
	const node: StartNode =
		start === 'webhook'
			? { kind: 'webhook' }
			: {
					kind: 'klink',
					typeVersion,
					parameters: { authentication: 'klinkSignature', events: ['message.inbound'], options: {} },
					credentials: { klinkSignatureApi: await createCredential(target, 'klinkSignatureApi', { signatureSecret: SECRET }) },
				};
	const name = start === 'webhook' ? 'webhook' : `klink v${typeVersion}`;
	return await deployRecordingWorkflow(target, `faults ${name} ${++rounds}`, node, recorder, queue.frontUrl);
}

/**
 * Which of `markers` n8n holds in an execution that did not succeed (error, crashed, never started...): the
 * event reached n8n and n8n lists it, with its status, rather than losing it without a trace.
 */
async function inUnfinishedExecutions(workflowId: string, markers: string[]): Promise<Map<string, string>> {
	const found = new Map<string, string>();
	if (markers.length === 0) return found;
	const unfinished = (await listExecutions(target, workflowId)).filter((execution) => execution.status !== 'success');
	const texts = unfinished.map((execution) => ({ status: execution.status, text: JSON.stringify(execution) }));
	for (const marker of markers) {
		const execution = texts.find(({ text }) => text.includes(marker));
		if (execution) found.set(marker, execution.status);
	}
	return found;
}

/** Sends `count` events (with `fault` running alongside), waits for their runs, and counts. */
async function round(
	name: string,
	{ url, workflowId }: { url: string; workflowId: string },
	count: number,
	send: Omit<SendOptions, 'urlFor'> & { urlFor: (index: number, attempt: number) => string },
	fault?: Fault,
): Promise<Round> {
	const markers = Array.from({ length: count }, (_, i) => runMarker(`${Date.now().toString(36)}${rounds}`, i));
	const bodies = markers.map((marker) => JSON.stringify(messageInbound({ text: marker })));
	const signatures = signBatchWithGo(bodies.map((body) => ({ secret: SECRET, url, body })));
	const deliveries = bodies.map((body, i) => ({ body, signature: signatures[i] }));
	const startedAt = Date.now();
	let reachedMidway: () => void = () => undefined;
	const midway = new Promise<void>((resolve) => (reachedMidway = resolve));
	const onFirstAttempt = (sent: number) => {
		if (sent >= Math.ceil(count * 0.6)) reachedMidway();
	};
	const [outcomes] = await Promise.all([
		sendLikeKlink(deliveries, { retryDelayMs: RETRY_DELAY_MS, growingDelays: true, maxAttempts: 5, onFirstAttempt, ...send }),
		fault?.(midway),
	]);
	const answeredQuickly = outcomes.filter((outcome) => outcome.answered2xx).length;
	await klinkLastRetry(deliveries, outcomes, send, startedAt);
	return await settle(name, workflowId, markers, deliveries, outcomes, answeredQuickly);
}

/** Sends each still unanswered delivery once more, when klink's own last retry of it would come. */
async function klinkLastRetry(deliveries: SignedDelivery[], outcomes: DeliveryOutcome[], send: Pick<SendOptions, 'urlFor' | 'inFlight'>, startedAt: number): Promise<void> {
	const left = outcomes.flatMap((outcome, index) => (outcome.answered2xx ? [] : [index]));
	if (left.length === 0) return;
	await sleepMs(Math.max(0, startedAt + KLINK_RETRY_SPAN_MS - Date.now()));
	const late = await sendLikeKlink(
		left.map((index) => deliveries[index]),
		{ inFlight: send.inFlight, maxAttempts: 1, urlFor: (i) => send.urlFor(left[i], outcomes[left[i]].attempts.length) },
	);
	late.forEach((outcome, i) => {
		const original = outcomes[left[i]];
		original.attempts.push(...outcome.attempts);
		original.attemptMs.push(...outcome.attemptMs);
		original.body = outcome.body;
		original.answered2xx = outcome.answered2xx;
	});
}

async function settle(
	name: string,
	workflowId: string,
	markers: string[],
	deliveries: SignedDelivery[],
	outcomes: DeliveryOutcome[],
	answeredQuickly = outcomes.filter((outcome) => outcome.answered2xx).length,
): Promise<Round> {
	const answered = markers.filter((_, i) => outcomes[i].answered2xx);
	// Runs of answered events may still be queued: wait for them (bounded), then a little for late doubles.
	const deadline = Date.now() + 120_000;
	while (Date.now() < deadline && runCounts(answered, markersIn(recorder)).lost.length > 0) await sleepMs(500);
	await sleepMs(3000);
	const recorded = markersIn(recorder);
	const { lost: neverRan, doubled } = runCounts(answered, recorded);
	const unfinished = await inUnfinishedExecutions(workflowId, neverRan);
	const failedInN8n = [...unfinished.keys()];
	const lost = neverRan.filter((marker) => !unfinished.has(marker));
	const byStatus = new Map<string, number>();
	for (const status of unfinished.values()) byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
	const statuses = [...byStatus].map(([status, count]) => `${count} ${status}`);
	const ran = new Set(recorded.filter((marker) => markers.includes(marker))).size;
	const result = { name, markers, deliveries, outcomes, answeredQuickly, answered2xx: answered.length, ran, lost, failedInN8n, doubled };
	const late = answered.length - answeredQuickly;
	figures.push(
		`${name}: ${markers.length} events, ${answered.length} answered 2xx${late > 0 ? ` (${late} only at klink's last retry)` : ''}, ${ran} ran, ${lost.length} lost, ` +
			`${failedInN8n.length} failed in n8n${statuses.length > 0 ? ` (${statuses.join(', ')})` : ''}, ${runCounts(markers, recorded).doubled.length} doubled`,
	);
	return result;
}

/** The events of a round never answered 2xx, not even at klink's last retry: each with its attempts' statuses (0: no answer). */
function unanswered(result: Round): string[] {
	return result.outcomes.flatMap((outcome, i) =>
		outcome.answered2xx ? [] : [`${result.markers[i]}: attempts ${JSON.stringify(outcome.attempts)} taking ${JSON.stringify(outcome.attemptMs)} ms, last answer ${outcome.body.slice(0, 200)}`],
	);
}

describe(`faults in queue mode`, () => {
	// n8n 2.40.7, version 1 answering at once (its old default): 45 of 300 answered 2xx never ran, and retries of
	// first attempts that timed out ran a second time on the other process.
	it('300 events, 50 in flight, alternately to both webhook processes, no fault: on both trigger versions none answered is lost, none doubled, beside n8n\'s Webhook node', async () => {
		const send = (url: string) => ({ inFlight: 50, urlFor: alternately(url) });
		const controlWorkflow = await deploy('webhook');
		const control = await round("n8n's Webhook node, 300 events, 50 in flight, no fault", controlWorkflow, 300, send(controlWorkflow.url));
		const results = [];
		for (const typeVersion of [1, 1.1]) {
			const deployed = await deploy('klink', typeVersion);
			results.push(await round(`Klink Trigger ${typeVersion}, 300 events, 50 in flight, no fault`, deployed, 300, send(deployed.url)));
		}
		console.log(
			`n8n ${target.major}.x, 300 events at 50 in flight, lost / failed in n8n / doubled: Webhook node ${control.lost.length} / ${control.failedInN8n.length} / ${control.doubled.length}; ` +
				results.map((result) => `${result.name.split(',')[0]} ${result.lost.length} / ${result.failedInN8n.length} / ${result.doubled.length}`).join('; '),
		);
		for (const result of results) {
			expect({ name: result.name, unanswered: unanswered(result), lost: result.lost, failedInN8n: result.failedInN8n, doubled: result.doubled }).toEqual({
				name: result.name,
				unanswered: [],
				lost: [],
				failedInN8n: [],
				doubled: [],
			});
		}
	}, 3 * ROUND_TIMEOUT_MS);

	it(`${CROSS_BURST} events over both webhook processes, then each retried on the other: each runs once`, async () => {
		const deployed = await deploy('klink');
		const { url } = deployed;
		const first = await round(`${CROSS_BURST} events, 50 in flight, alternately to webhook 1 and 2`, deployed, CROSS_BURST, {
			inFlight: 50,
			urlFor: alternately(url),
		});
		expect(unanswered(first)).toEqual([]);
		expect(first.ran).toBe(CROSS_BURST);
		expect(first.lost).toEqual([]);
		expect(first.doubled).toEqual([]);

		await sleepMs(RETRY_DELAY_MS);
		const retried = await sendLikeKlink(first.deliveries, { inFlight: 50, maxAttempts: 1, urlFor: (i) => direct(url, 2 - (i % 2)) });
		const again = await settle(`the same ${CROSS_BURST} retried, each on the other webhook process`, deployed.workflowId, first.markers, first.deliveries, retried);
		expect(retried.filter((outcome) => JSON.parse(outcome.body || '{}').reason === 'duplicate delivery')).toHaveLength(CROSS_BURST);
		expect(runCounts(first.markers, markersIn(recorder)).doubled).toEqual([]);
		expect(again.lost).toEqual([]);
	}, ROUND_TIMEOUT_MS);

	it('a webhook process killed mid-burst, its unanswered requests retried on the survivor: every event answered in the end, none lost on 2.x, on both trigger versions', async () => {
		const killMidBurst = midBurst((topology) => killWebhookProcess(topology, 1));
		// First attempts alternate; a retry goes to the survivor, as a load balancer sends it there.
		const urlFor = (url: string) => (i: number, attempt: number) => (attempt === 0 ? alternately(url)(i) : direct(url, 2));
		try {
			const controlWorkflow = await deploy('webhook');
			const control = await round(`n8n's Webhook node, webhook 1 killed mid-burst of ${FAULT_BURST}`, controlWorkflow, FAULT_BURST, { inFlight: 50, urlFor: urlFor(controlWorkflow.url) }, killMidBurst);
			for (const typeVersion of [1, 1.1]) {
				queue = await restartWebhookProcess(queue, 1);
				writeQueue(queue);
				const klinkWorkflow = await deploy('klink', typeVersion);
				const klink = await round(`Klink Trigger ${typeVersion}, webhook 1 killed mid-burst of ${FAULT_BURST}`, klinkWorkflow, FAULT_BURST, { inFlight: 50, urlFor: urlFor(klinkWorkflow.url) }, killMidBurst);
				expect(unanswered(klink)).toEqual([]);
				// n8n 1.x answers before it stores the execution, its Webhook node too: how many answered events the
				// kill catches before their insert is timing (measured: Webhook node 4, 6, 11; Klink 0, 0, 18), so 1.x
				// shows both figures. 2.x answers after storing: nothing answered may be lost.
				if (target.major === 2) expect({ typeVersion, lost: klink.lost }).toEqual({ typeVersion, lost: [] });
				else console.log(`n8n 1.x, kill: Webhook node lost ${control.lost.length}, Klink Trigger ${typeVersion} lost ${klink.lost.length}`);
			}
		} finally {
			queue = await restartWebhookProcess(queue, 1);
			writeQueue(queue);
		}
	}, 3 * ROUND_TIMEOUT_MS);

	it('Redis restarted mid-burst: nothing lost, nothing doubled, on both trigger versions', async () => {
		for (const typeVersion of [1, 1.1]) {
			// n8n 1.x exits every process after two Redis outages within about 30 s (its reconnect count is never reset).
			if (typeVersion !== 1 && target.major === 1) await sleepMs(35_000);
			const deployed = await deploy('klink', typeVersion);
			const result = await round(`Klink Trigger ${typeVersion}, Redis restarted mid-burst of ${FAULT_BURST}`, deployed, FAULT_BURST, { inFlight: 50, urlFor: alternately(deployed.url) }, midBurst((topology) => restartRedis(topology)));
			expect({ typeVersion, unanswered: unanswered(result), lost: result.lost, doubled: result.doubled }).toEqual({ typeVersion, unanswered: [], lost: [], doubled: [] });
		}
	}, 2 * ROUND_TIMEOUT_MS);

	it('PostgreSQL restarted mid-burst: every event answered 2xx in the end, none doubled; lost beside n8n\'s Webhook node', async () => {
		const restartMidBurst = midBurst(restartPostgres);
		const controlWorkflow = await deploy('webhook');
		const control = await round(`n8n's Webhook node, PostgreSQL restarted mid-burst of ${FAULT_BURST}`, controlWorkflow, FAULT_BURST, { inFlight: 50, urlFor: alternately(controlWorkflow.url) }, restartMidBurst);
		const deployed = await deploy('klink');
		const result = await round(`Klink Trigger, PostgreSQL restarted mid-burst of ${FAULT_BURST}`, deployed, FAULT_BURST, { inFlight: 50, urlFor: alternately(deployed.url) }, restartMidBurst);
		expect(unanswered(result)).toEqual([]);
		expect(result.doubled).toEqual([]);
		// n8n 1.x answers before it stores the execution, 2.x after; what n8n then does with a stored execution
		// while its database restarts is n8n's, for its own Webhook node as for the trigger: both are shown.
		console.log(`n8n ${target.major}.x, PostgreSQL restart: Webhook node lost ${control.lost.length}, Klink Trigger lost ${result.lost.length}`);
	}, 2 * ROUND_TIMEOUT_MS);
});
