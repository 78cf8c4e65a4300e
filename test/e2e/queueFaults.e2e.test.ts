import { apiTarget, readQueue, readState, writeQueue } from './harness/e2eState';
import { signBatchWithGo } from './harness/goSigner';
import { messageInbound } from './harness/klinkEvents';
import { runCounts, sendLikeKlink, type DeliveryOutcome, type SignedDelivery } from './harness/klinkSender';
import { createCredential, listExecutions, type ApiTarget } from './harness/n8nApi';
import { reportFigures } from './harness/figures';
import { sleepMs } from './harness/n8nInstance';
import { killWebhookProcess, restartPostgres, restartRedis, restartWebhookProcess, type QueueTopology } from './harness/queueTopology';
import { RecordingServer } from './harness/recordingServer';
import { deployRecordingWorkflow, markersIn, runMarker, type StartNode } from './harness/recordingWorkflow';

/**
 * Faults in queue mode (run only with KLINK_E2E_QUEUE=1, by scripts/e2e.sh): bursts of Go-signed events over
 * both webhook processes, sent as klink sends them (an attempt without a 2xx within 10 s is sent again, same
 * bytes, same signature, after a delay, here tenfold shorter than klink's, then when klink's own third and fourth
 * attempts would come), while a webhook process is killed, Redis or PostgreSQL restarted.
 * Every run reports itself to a recording server, so each round counts, per event: answered 2xx, ran, lost
 * (answered 2xx, never ran, and no execution of it in n8n), failed in n8n (answered 2xx, held by n8n in an
 * execution that did not succeed, which n8n lists with its status: error, crashed, new...) and doubled
 * (ran more than once). Each round is bounded in count and time.
 */
const SECRET = 'klink-e2e-faults-secret-7a3c';
/** klink waits 30, 60, 90 s between attempts; the suite waits a tenth of that: 3, 6, 9, 12 s. */
const RETRY_DELAY_MS = 3000;
/**
 * klink's third and fourth attempts of an event, at the latest (each attempt before them timing out: 10 s, 30 s
 * between, 10 s, 60 s, 10 s, 90 s), after its first. The quick attempts above may all fall inside a dead
 * process's claim (60 s, CLAIM_TTL_MS), as klink's first two may; these two come after it, as klink's do. An
 * event still unanswered after the quick attempts is sent then, on its own schedule. `npm test` sends them sooner,
 * still past the claim (KLINK_FAULTS_LATE_ATTEMPTS_MS, scripts/e2e.sh); `npm run soak` at klink's own times.
 */
const LATE_ATTEMPTS_MS = (process.env.KLINK_FAULTS_LATE_ATTEMPTS_MS ?? '110000,210000').split(',').map(Number);
const QUICK_ATTEMPTS = 5;
/**
 * Events per subject in a burst with a fault (a kill, a restart); every subject of a fault (n8n's Webhook node,
 * each trigger version) shares one burst, interleaved, so one fault meets all of them mid-burst. The rounds
 * without a fault send 300 per subject (soak: 2.5 times `FAULT_BURST` if that is more). `npm test` sends 100
 * (scripts/e2e.sh), `npm run soak` 200: 100 still catch a doubled or lost event, a fault mid-burst meets events
 * in every state.
 */
const FAULT_BURST = Number(process.env.KLINK_FAULTS_EVENTS ?? 200);
const CALM_BURST = Math.max(300, Math.round(FAULT_BURST * 2.5));

/** A round: the burst with its retries, the fault, klink's late attempts if needed, and waiting for the runs. */
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
	reportFigures(`n8n ${target.major}.x in queue mode, faults (klink's late attempts ${LATE_ATTEMPTS_MS.map((ms) => ms / 1000).join(' and ')} s after an event's first)`, figures);
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

/** What a round sends to: a deployed workflow, named as the figures name it. */
interface Subject {
	name: string;
	deployed: { url: string; workflowId: string };
}

/** Where attempt `attempt` of a subject's delivery `index` goes, given the subject's webhook URL. */
type Routing = (url: string) => (index: number, attempt: number) => string;

/**
 * Sends `count` events to each subject in one burst, interleaved (event i of every subject, then i + 1...), with
 * `fault` running alongside; waits for their runs and counts, per subject.
 */
async function round(subjects: Subject[], count: number, send: { inFlight: number; routing: Routing }, fault?: Fault): Promise<Round[]> {
	const runId = `${Date.now().toString(36)}${rounds}`;
	const parts = subjects.map((subject, s) => ({
		subject,
		markers: Array.from({ length: count }, (_, i) => runMarker(runId, i * subjects.length + s)),
		urlFor: send.routing(subject.deployed.url),
	}));
	// Delivery d is event floor(d / n) of subject d % n.
	const slots = Array.from({ length: count * subjects.length }, (_, d) => ({ part: parts[d % subjects.length], index: Math.floor(d / subjects.length) }));
	const bodies = slots.map(({ part, index }) => JSON.stringify(messageInbound({ text: part.markers[index] })));
	const signatures = signBatchWithGo(slots.map(({ part }, d) => ({ secret: SECRET, url: part.subject.deployed.url, body: bodies[d] })));
	const deliveries = bodies.map((body, d) => ({ body, signature: signatures[d] }));
	const urlFor = (d: number, attempt: number) => slots[d].part.urlFor(slots[d].index, attempt);
	let reachedMidway: () => void = () => undefined;
	const midway = new Promise<void>((resolve) => (reachedMidway = resolve));
	const onFirstAttempt = (sent: number) => {
		if (sent >= Math.ceil(deliveries.length * 0.6)) reachedMidway();
	};
	const [outcomes] = await Promise.all([
		sendLikeKlink(deliveries, { retryDelayMs: RETRY_DELAY_MS, growingDelays: true, maxAttempts: QUICK_ATTEMPTS, lateAttemptsMs: LATE_ATTEMPTS_MS, onFirstAttempt, inFlight: send.inFlight, urlFor }),
		fault?.(midway),
	]);
	const answeredQuickly = outcomes.map((outcome) => outcome.answered2xx && outcome.attempts.length <= QUICK_ATTEMPTS);
	return await settle(
		parts.map((part, s) => {
			const mine = (_: unknown, d: number) => d % subjects.length === s;
			return {
				name: part.subject.name,
				workflowId: part.subject.deployed.workflowId,
				markers: part.markers,
				deliveries: deliveries.filter(mine),
				outcomes: outcomes.filter(mine),
				answeredQuickly: answeredQuickly.filter(mine).filter(Boolean).length,
			};
		}),
	);
}

interface Sent {
	name: string;
	workflowId: string;
	markers: string[];
	deliveries: SignedDelivery[];
	outcomes: DeliveryOutcome[];
	answeredQuickly?: number;
}

/**
 * How long no run may come before a round stops waiting for answered events that have not run: longer than
 * n8n's check for stalled jobs (QUEUE_WORKER_STALLED_INTERVAL, 30 s on both lines), after which a job a worker
 * dropped runs again (a late run, or a double).
 */
const QUIET_MS = 35_000;

/**
 * Waits until every answered event of every part has run, or no run has come for `QUIET_MS` (bounded), then a
 * little for late doubles, and counts.
 */
async function settle(parts: Sent[]): Promise<Round[]> {
	const answeredPerPart = parts.map((part) => part.markers.filter((_, i) => part.outcomes[i].answered2xx));
	const answered = answeredPerPart.flat();
	const deadline = Date.now() + 120_000;
	let runsSeen = -1;
	let quietSince = Date.now();
	for (;;) {
		const recorded = markersIn(recorder);
		if (runCounts(answered, recorded).lost.length === 0 || Date.now() > deadline) break;
		if (recorded.length !== runsSeen) [runsSeen, quietSince] = [recorded.length, Date.now()];
		else if (Date.now() - quietSince > QUIET_MS) break;
		await sleepMs(500);
	}
	await sleepMs(3000);
	const recorded = markersIn(recorder);
	const results: Round[] = [];
	for (const [p, { name, workflowId, markers, deliveries, outcomes, answeredQuickly = answeredPerPart[p].length }] of parts.entries()) {
		const answeredHere = answeredPerPart[p];
		const { lost: neverRan, doubled } = runCounts(answeredHere, recorded);
		const unfinished = await inUnfinishedExecutions(workflowId, neverRan);
		const failedInN8n = [...unfinished.keys()];
		const lost = neverRan.filter((marker) => !unfinished.has(marker));
		const byStatus = new Map<string, number>();
		for (const status of unfinished.values()) byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
		const statuses = [...byStatus].map(([status, count]) => `${count} ${status}`);
		const ran = new Set(recorded.filter((marker) => markers.includes(marker))).size;
		const late = answeredHere.length - answeredQuickly;
		figures.push(
			`${name}: ${markers.length} events, ${answeredHere.length} answered 2xx${late > 0 ? ` (${late} only at klink's late attempts)` : ''}, ${ran} ran, ${lost.length} lost, ` +
				`${failedInN8n.length} failed in n8n${statuses.length > 0 ? ` (${statuses.join(', ')})` : ''}, ${runCounts(markers, recorded).doubled.length} doubled`,
		);
		results.push({ name, markers, deliveries, outcomes, answeredQuickly, answered2xx: answeredHere.length, ran, lost, failedInN8n, doubled });
	}
	return results;
}

/** The events of a round never answered 2xx, not even at klink's late attempts: each with its attempts' statuses (0: no answer). */
function unanswered(result: Round): string[] {
	return result.outcomes.flatMap((outcome, i) =>
		outcome.answered2xx ? [] : [`${result.markers[i]}: attempts ${JSON.stringify(outcome.attempts)} taking ${JSON.stringify(outcome.attemptMs)} ms, last answer ${outcome.body.slice(0, 200)}`],
	);
}

describe(`faults in queue mode`, () => {
	const trigger = async (typeVersion: number, what: string): Promise<Subject> => ({ name: `Klink Trigger ${typeVersion}, ${what}`, deployed: await deploy('klink', typeVersion) });
	const control = async (what: string): Promise<Subject> => ({ name: `n8n's Webhook node, ${what}`, deployed: await deploy('webhook') });

	// n8n 2.40.7, version 1 answering at once (its old default): 45 of 300 answered 2xx never ran, and retries of
	// first attempts that timed out ran a second time on the other process.
	it(`${CALM_BURST} events, 50 in flight, alternately to both webhook processes, no fault: on both trigger versions none answered is lost, none doubled, beside n8n's Webhook node; each retried on the other process runs once`, async () => {
		const what = `${CALM_BURST} events, 50 in flight, no fault`;
		const subjects = [await control(what), await trigger(1, what), await trigger(1.1, what)];
		const [webhookNode, ...results] = await round(subjects, CALM_BURST, { inFlight: 50, routing: alternately });
		// klink's retry of an event whose 2xx it missed, landing on the other webhook process: both versions' events
		// interleaved, as the burst was.
		await sleepMs(RETRY_DELAY_MS);
		const klink = subjects.slice(1);
		const resent = Array.from({ length: CALM_BURST }, (_, i) =>
			klink.map((subject, v) => ({ v, delivery: results[v].deliveries[i], url: direct(subject.deployed.url, 2 - (i % 2)) })),
		).flat();
		// Sent as klink sends: an attempt answered 503 (the first delivery still starting) or not within 10 s is sent
		// again; each must end answered as a duplicate.
		const retried = await sendLikeKlink(
			resent.map(({ delivery }) => delivery),
			{ inFlight: 50, retryDelayMs: RETRY_DELAY_MS, growingDelays: true, maxAttempts: QUICK_ATTEMPTS, urlFor: (d) => resent[d].url },
		);
		const retriedElsewhere = await settle(
			klink.map((subject, v) => ({
				name: `${subject.name.split(',')[0]}, the same ${CALM_BURST} retried, each on the other webhook process`,
				workflowId: subject.deployed.workflowId,
				markers: results[v].markers,
				deliveries: results[v].deliveries,
				outcomes: retried.filter((_, d) => resent[d].v === v),
			})),
		);
		console.log(
			`n8n ${target.major}.x, ${CALM_BURST} events at 50 in flight, lost / failed in n8n / doubled: Webhook node ${webhookNode.lost.length} / ${webhookNode.failedInN8n.length} / ${webhookNode.doubled.length}; ` +
				results.map((result) => `${result.name.split(',')[0]} ${result.lost.length} / ${result.failedInN8n.length} / ${result.doubled.length}`).join('; '),
		);
		for (const again of retriedElsewhere) {
			const duplicates = again.outcomes.filter((outcome) => JSON.parse(outcome.body || '{}').reason === 'duplicate delivery').length;
			expect({ name: again.name, duplicates }).toEqual({ name: again.name, duplicates: CALM_BURST });
		}
		for (const result of [...results, ...retriedElsewhere]) {
			expect({ name: result.name, unanswered: unanswered(result), ran: result.ran, lost: result.lost, failedInN8n: result.failedInN8n, doubled: result.doubled }).toEqual({
				name: result.name,
				unanswered: [],
				ran: CALM_BURST,
				lost: [],
				failedInN8n: [],
				doubled: [],
			});
		}
	}, 2 * ROUND_TIMEOUT_MS);

	it('a webhook process killed mid-burst, its unanswered requests retried on the survivor: every event answered in the end, none lost on 2.x, on both trigger versions', async () => {
		const what = `webhook 1 killed mid-burst of ${FAULT_BURST}`;
		// First attempts alternate; a retry goes to the survivor, as a load balancer sends it there.
		const routing: Routing = (url) => (i, attempt) => (attempt === 0 ? alternately(url)(i) : direct(url, 2));
		try {
			const subjects = [await control(what), await trigger(1, what), await trigger(1.1, what)];
			const [webhookNode, ...klink] = await round(subjects, FAULT_BURST, { inFlight: 50, routing }, midBurst((topology) => killWebhookProcess(topology, 1)));
			for (const [i, typeVersion] of [1, 1.1].entries()) {
				expect({ typeVersion, unanswered: unanswered(klink[i]) }).toEqual({ typeVersion, unanswered: [] });
				// n8n 1.x answers before it stores the execution, its Webhook node too: how many answered events the
				// kill catches before their insert is timing (measured: Webhook node 4, 6, 11; Klink 0, 0, 18), so 1.x
				// shows both figures. 2.x answers after storing: nothing answered may be lost.
				if (target.major === 2) expect({ typeVersion, lost: klink[i].lost }).toEqual({ typeVersion, lost: [] });
			}
			console.log(`n8n ${target.major}.x, kill: lost by n8n's Webhook node ${webhookNode.lost.length}, Klink Trigger 1 ${klink[0].lost.length}, Klink Trigger 1.1 ${klink[1].lost.length}`);
		} finally {
			queue = await restartWebhookProcess(queue, 1);
			writeQueue(queue);
		}
	}, ROUND_TIMEOUT_MS);

	it('Redis restarted mid-burst: nothing lost, nothing doubled, on both trigger versions', async () => {
		const what = `Redis restarted mid-burst of ${FAULT_BURST}`;
		const subjects = [await trigger(1, what), await trigger(1.1, what)];
		const results = await round(subjects, FAULT_BURST, { inFlight: 50, routing: alternately }, midBurst((topology) => restartRedis(topology)));
		for (const [i, typeVersion] of [1, 1.1].entries()) {
			expect({ typeVersion, unanswered: unanswered(results[i]), lost: results[i].lost, doubled: results[i].doubled }).toEqual({ typeVersion, unanswered: [], lost: [], doubled: [] });
		}
	}, ROUND_TIMEOUT_MS);

	it('PostgreSQL restarted mid-burst: every event answered 2xx in the end, none doubled; lost beside n8n\'s Webhook node', async () => {
		const what = `PostgreSQL restarted mid-burst of ${FAULT_BURST}`;
		const subjects = [await control(what), await trigger(1.1, what)];
		const [webhookNode, result] = await round(subjects, FAULT_BURST, { inFlight: 50, routing: alternately }, midBurst(restartPostgres));
		expect(unanswered(result)).toEqual([]);
		expect(result.doubled).toEqual([]);
		// n8n 1.x answers before it stores the execution, 2.x after; what n8n then does with a stored execution
		// while its database restarts is n8n's, for its own Webhook node as for the trigger: both are shown.
		console.log(`n8n ${target.major}.x, PostgreSQL restart: Webhook node lost ${webhookNode.lost.length}, Klink Trigger lost ${result.lost.length}`);
	}, ROUND_TIMEOUT_MS);
});
