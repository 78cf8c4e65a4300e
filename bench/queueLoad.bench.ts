import { randomUUID } from 'crypto';
import { mkdtempSync, readdirSync, rmSync } from 'fs';
import { loadavg, tmpdir } from 'os';
import { join } from 'path';

import { countExecutions, createCredential, api, waitForWebhookRoute, webhookUrl, type ApiTarget } from '../test/e2e/harness/n8nApi';
import { sleepMs } from '../test/e2e/harness/n8nInstance';
import { redisCli } from '../test/e2e/harness/queue/redis';
import { startQueueTopology, stopQueueTopology, type QueueTopology } from '../test/e2e/harness/queueTopology';
import { n8nVersion, type N8nMajor } from '../test/e2e/harness/versions';
import { benchPort } from './benchInstance';
import { recordTable } from './results';
import { percentile } from './stats';
import { deploy, HEADER, klinkTriggerNode, SECRET, signedKlinkRequest, webhookNode, webhookNodeRequest, type BenchRequest } from './triggerTargets';

/**
 * The trigger's sustained throughput with n8n in queue mode (test/e2e/harness/queueTopology.ts: PostgreSQL,
 * Redis, main, 2 webhook processes, 2 workers, nginx in front), side by side with n8n's Webhook node: the
 * highest rate of events per second at which every request is answered 200 and the p99 latency stays under
 * 1 s, through each of the topology's two fronts:
 * - "1 webhook process": the klink-pinned front (every /webhook/ request to webhook process 1; process 2 is
 *   only a backup), the README's recipe;
 * - "2 webhook processes": the round-robin front (alternately to both).
 *
 * Open loop, stepped: at each rate R (BENCH_QUEUE_RATES), requests are started on a timer, R per second, for
 * BENCH_QUEUE_STEP_SECONDS, without waiting for answers; a request's latency runs from the moment it was due
 * (so a client that falls behind does not hide it). A step holds if every answer is 200 (and, for the Klink
 * Trigger, says the event started) and the p99 is at most BENCH_QUEUE_P99_MS. A step stops early once it
 * cannot hold any more (a failed answer, or more requests over the limit, in flight included, than the p99
 * allows). A failed step is run once more (BENCH_QUEUE_TRIES in all, default 2: the machine is shared, and a
 * spike of other work fails a step of a few seconds); a target's result is the highest rate that held before a
 * step failed every try, and it gets no further steps. At each rate the targets take turns (through both fronts, in an order that rotates from step to
 * step), and after each of them the benchmark waits until the queue is empty and no execution runs, so that
 * no target pays for the previous one's executions.
 *
 * Targets: n8n's Webhook node (header auth, answering on receipt), the Klink Trigger with Answer klink.cloud
 * When the Execution Is Stored (the README's setting for queue mode: n8n 2.x answers once the execution is
 * stored and queued) and, unless BENCH_QUEUE_IMMEDIATELY=0, the Klink Trigger answering Immediately. Every
 * event starts an execution. KLINK_N8N_SETTINGS applies to every n8n process (printed with the results).
 *
 *   node queueLoad.bench.js <major>
 */
const RATES = (process.env.BENCH_QUEUE_RATES ?? '2 5 10 20 30 40 60 80 100 130 160').split(/[\s,]+/).filter(Boolean).map(Number);
const STEP_SECONDS = Number(process.env.BENCH_QUEUE_STEP_SECONDS ?? 10);
const P99_LIMIT_MS = Number(process.env.BENCH_QUEUE_P99_MS ?? 1000);
const WARMUP = Number(process.env.BENCH_QUEUE_WARMUP ?? 20);
/** A failed step is run again up to this many times in all before its target is given up on (shared machine). */
const TRIES = Math.max(1, Number(process.env.BENCH_QUEUE_TRIES ?? 2));
/** Seconds of steps after which no new rate is started (the run stays within about 10 minutes per major). */
const BUDGET_SECONDS = Number(process.env.BENCH_QUEUE_BUDGET_SECONDS ?? 480);
const WITH_IMMEDIATELY = process.env.BENCH_QUEUE_IMMEDIATELY !== '0';
/** klink.cloud gives up on an attempt after 10 s; so does the benchmark. */
const REQUEST_TIMEOUT_MS = 10_000;
const DRAIN_TIMEOUT_MS = 120_000;

interface Front {
	label: string;
	base: string;
}

interface Target {
	label: string;
	workflowId: string;
	/** Requests to this target through the front at `base`. */
	request: (base: string) => () => BenchRequest;
	/** The Klink Trigger's answer says whether the event started a run; a 200 saying it did not is a failure. */
	expectStarted: boolean;
	/** The body of the first warm-up answer, printed with the results. */
	sampleAnswer?: string;
}

interface StepResult {
	rate: number;
	planned: number;
	sent: number;
	latencies: number[];
	failures: Map<string, number>;
	/** How late the client started its most delayed request (ms): large values mean the client fell behind. */
	maxLagMs: number;
	held: boolean;
}

interface Cell {
	front: Front;
	target: Target;
	request: () => BenchRequest;
	steps: StepResult[];
	/** Highest rate that held (0: not even the first step). */
	held: number;
	failedAt?: StepResult;
	answered200: number;
}

type Outcome = { ms: number; body: string } | { failure: string };

async function send(request: BenchRequest, dueAt: number, expectStarted: boolean): Promise<Outcome> {
	try {
		const response = await fetch(request.url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...request.headers },
			body: request.body,
			signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
		});
		const text = await response.text();
		const elapsed = performance.now() - dueAt;
		if (response.status !== 200) return { failure: String(response.status) };
		// Not `"started":true` itself: n8n 2.x answers "When the Execution Is Stored" with its own body (see the
		// answers printed with the results).
		if (expectStarted && text.includes('"started":false')) return { failure: `200 ${text.slice(0, 60)}` };
		return { ms: elapsed, body: text };
	} catch (error) {
		return { failure: (error as Error).name === 'TimeoutError' ? `no answer in ${REQUEST_TIMEOUT_MS / 1000} s` : `error ${(error as Error).message}` };
	}
}

/** One open-loop step: `rate` requests per second for `seconds`, each started when due whatever the answers. */
async function openLoopStep(cell: Cell, rate: number, seconds: number): Promise<StepResult> {
	const planned = Math.max(1, Math.round(rate * seconds));
	// Built before the clock starts, so signing does not delay the schedule.
	const requests = Array.from({ length: planned }, () => cell.request());
	// p99 <= limit as long as no more than this many requests take longer (see stats.percentile).
	const allowedSlow = planned - Math.ceil(0.99 * planned);
	const result: StepResult = { rate, planned, sent: 0, latencies: [], failures: new Map(), maxLagMs: 0, held: false };
	const inFlight = new Set<number>();
	let slow = 0;
	const cannotHold = () => {
		if (result.failures.size > 0) return true;
		const now = performance.now();
		let late = slow;
		for (const dueAt of inFlight) if (now - dueAt > P99_LIMIT_MS) late++;
		return late > allowedSlow;
	};
	const sends: Array<Promise<void>> = [];
	const interval = 1000 / rate;
	const start = performance.now() + 20;
	for (let i = 0; i < planned; i++) {
		const dueAt = start + i * interval;
		const wait = dueAt - performance.now();
		if (wait > 0) await sleepMs(wait);
		if (cannotHold()) break;
		result.maxLagMs = Math.max(result.maxLagMs, performance.now() - dueAt);
		result.sent++;
		inFlight.add(dueAt);
		sends.push(
			send(requests[i], dueAt, cell.target.expectStarted).then((outcome) => {
				inFlight.delete(dueAt);
				if ('ms' in outcome) {
					result.latencies.push(outcome.ms);
					if (outcome.ms > P99_LIMIT_MS) slow++;
				} else {
					result.failures.set(outcome.failure, (result.failures.get(outcome.failure) ?? 0) + 1);
				}
			}),
		);
	}
	await Promise.all(sends);
	cell.answered200 += result.latencies.length;
	result.held = result.sent === planned && result.failures.size === 0 && percentile(result.latencies, 99) <= P99_LIMIT_MS;
	return result;
}

/** Jobs in n8n's Bull queue that are waiting, delayed or being run by a worker. */
function queuedJobs(queue: QueueTopology): number {
	const key = (list: string) => `${queue.queuePrefix}:jobs:${list}`;
	const script = "return redis.call('llen', KEYS[1]) + redis.call('llen', KEYS[2]) + redis.call('zcard', KEYS[3])";
	const answer = redisCli(queue.redis, ['eval', script, '3', key('wait'), key('active'), key('delayed')]).trim();
	return answer === '' ? Number.NaN : Number(answer);
}

async function runningExecutions(target: ApiTarget): Promise<number> {
	const page = await api<{ data: unknown[] }>(target, 'GET', '/executions?status=running&limit=250');
	return page.data.length;
}

/**
 * Waits until the workers have finished what the last step started: the queue empty and no execution running,
 * both for a second in a row (an execution answered before it was queued is queued a moment later).
 * Returns the milliseconds it took.
 */
async function drain(queue: QueueTopology, target: ApiTarget): Promise<number> {
	const started = Date.now();
	let quietSince = 0;
	let last = '';
	while (Date.now() - started < DRAIN_TIMEOUT_MS) {
		const queued = queuedJobs(queue);
		// main answers its API 503 too while PostgreSQL lags: ask again.
		const running = await runningExecutions(target).catch(() => Number.NaN);
		last = `${queued} queued, ${running} running`;
		if (queued === 0 && running === 0) {
			quietSince ||= Date.now();
			if (Date.now() - quietSince >= 1000) return Date.now() - started;
		} else {
			quietSince = 0;
		}
		await sleepMs(250);
	}
	console.log(`  (not drained after ${DRAIN_TIMEOUT_MS / 1000} s: ${last}; going on)`);
	return Date.now() - started;
}

/**
 * The compared workflows, activated through main's public API. Webhook processes read them from the database;
 * the benchmark waits until every webhook process and both fronts serve each route.
 */
async function deployTargets(queue: QueueTopology, target: ApiTarget): Promise<Target[]> {
	const signature = await createCredential(target, 'klinkSignatureApi', { signatureSecret: SECRET });
	const header = await createCredential(target, 'httpHeaderAuth', HEADER);
	const viaBase = (url: string, base: string) => url.replace(queue.frontUrl, base);
	const bases = [queue.pinnedFrontUrl, queue.roundRobinFrontUrl, ...queue.webhooks.map((p) => `http://127.0.0.1:${p.port}/`)];
	const targets: Target[] = [];

	const webhookPath = `bench-queue-${randomUUID()}`;
	const webhookWorkflow = await deploy(target, 'bench queue webhook node', webhookNode(webhookPath, header));
	const webhookNodeUrl = new URL(`/webhook/${webhookPath}`, queue.frontUrl).toString();
	for (const base of bases) await waitForWebhookRoute(viaBase(webhookNodeUrl, base), { body: '{}', contentType: 'application/json' });
	targets.push({ label: 'n8n Webhook node (header auth)', workflowId: webhookWorkflow, request: (base) => webhookNodeRequest(viaBase(webhookNodeUrl, base)), expectStarted: false });

	const answers: Array<'stored' | 'immediately'> = WITH_IMMEDIATELY ? ['stored', 'immediately'] : ['stored'];
	for (const answerWhen of answers) {
		const hook = randomUUID();
		const workflowId = await deploy(target, `bench queue klink ${answerWhen}`, klinkTriggerNode(hook, 'klinkSignature', { klinkSignatureApi: signature }, answerWhen));
		// Signed for the Production URL (the public front), as klink signs it, whichever route it takes.
		const url = webhookUrl(queue.frontUrl, hook);
		for (const base of bases) await waitForWebhookRoute(viaBase(url, base));
		targets.push({
			label: `Klink Trigger, answer ${answerWhen === 'stored' ? 'when stored' : 'immediately'}`,
			workflowId,
			request: (base) => signedKlinkRequest(url, 'whatsapp', viaBase(url, base)),
			expectStarted: true,
		});
	}
	return targets;
}

/** Sequential requests through every front to every target: JIT, caches, connections; each must answer 200. */
async function warmUp(cells: Cell[], queue: QueueTopology, target: ApiTarget): Promise<void> {
	for (const cell of cells) {
		for (let i = 0; i < WARMUP; i++) {
			const outcome = await send(cell.request(), performance.now(), cell.target.expectStarted);
			if ('failure' in outcome) throw new Error(`warm-up: ${cell.target.label} through ${cell.front.label} answered ${outcome.failure}`);
			cell.target.sampleAnswer ??= outcome.body;
			cell.answered200++;
		}
	}
	await drain(queue, target);
}

const fmtMs = (value: number) => (Number.isNaN(value) ? '-' : `${Math.round(value)} ms`);

function stepLine(cell: Cell, step: StepResult, drainMs: number): string {
	const failures = [...step.failures].map(([what, count]) => `${count} ${what}`).join(', ');
	const stopped = step.sent < step.planned ? ` (stopped after ${step.sent} of ${step.planned})` : '';
	const lag = step.maxLagMs > 50 ? `  client lag ${Math.round(step.maxLagMs)} ms` : '';
	return (
		`${`${step.rate}/s`.padStart(6)}  ${cell.front.label.padEnd(20)} ${cell.target.label.padEnd(36)} ${String(step.sent).padStart(5)}` +
		`  p50 ${fmtMs(percentile(step.latencies, 50)).padStart(7)}  p99 ${fmtMs(percentile(step.latencies, 99)).padStart(7)}` +
		`  ${step.held ? 'held' : 'FAILED'}${stopped}${failures ? `  not 200: ${failures}` : ''}${lag}  drain ${(drainMs / 1000).toFixed(1)} s  load ${loadavg()[0].toFixed(1)}`
	);
}

function rateCell(cell: Cell): string {
	if (cell.held === 0) return `< ${RATES[0]} ev/s`;
	const heldStep = cell.steps.find((step) => step.held && step.rate === cell.held) as StepResult;
	return `${cell.failedAt ? '' : '>= '}${cell.held} ev/s (p99 ${fmtMs(percentile(heldStep.latencies, 99))})`;
}

function ratio(a: Cell, b: Cell): string {
	if (a.held === 0 || b.held === 0) return 'n/a';
	const open = !a.failedAt || !b.failedAt ? ' (a bound)' : '';
	return `${(a.held / b.held).toFixed(2)}x${open}`;
}

/** What stopQueueTopology's 'keep-logs' removes, for a topology that failed to start: user folders, database. */
function removeAllButLogs(dir: string): void {
	for (const name of readdirSync(dir)) if (name.startsWith('n8n-')) rmSync(join(dir, name), { recursive: true, force: true });
	rmSync(join(dir, 'postgres', 'data'), { recursive: true, force: true });
	rmSync(join(dir, 'nginx', 'temp'), { recursive: true, force: true });
}

function settingsLine(): string {
	const settings = (process.env.KLINK_N8N_SETTINGS ?? '').trim();
	return settings ? `KLINK_N8N_SETTINGS="${settings}" on every n8n process` : "n8n's defaults (KLINK_N8N_SETTINGS not set)";
}

async function main(): Promise<void> {
	const major = (Number(process.argv[2]) === 2 ? 2 : 1) as N8nMajor;
	const tarball = process.env.KLINK_PACKAGE_TARBALL;
	if (!tarball) throw new Error('KLINK_PACKAGE_TARBALL is not set: run benchmarks through `npm run bench`');
	if (RATES.length === 0 || RATES.some((rate) => !(rate > 0))) throw new Error(`BENCH_QUEUE_RATES must be positive numbers, got "${process.env.BENCH_QUEUE_RATES}"`);

	// Every part runs detached (its own process group): stop them on Ctrl-C too, or once the start finishes.
	const started: { queue?: QueueTopology; stopping?: Promise<void>; interrupted?: boolean } = {};
	const stop = (remove: boolean | 'keep-logs') =>
		(started.stopping ??= started.queue ? stopQueueTopology(started.queue, { remove }) : Promise.resolve());
	const onSignal = () => {
		started.interrupted = true;
		console.error('interrupted: stopping the queue topology');
		if (started.queue) void stop('keep-logs').finally(() => process.exit(130));
	};
	process.once('SIGINT', onSignal);
	process.once('SIGTERM', onSignal);

	const startedAt = Date.now();
	const dir = mkdtempSync(join(tmpdir(), `klink-queue-bench-n8n${major}-`));
	const queue = await startQueueTopology({ major, tarball, basePort: benchPort(6100), dir, log: (line) => console.error(`[queue] ${line}`) }).catch(
		(error: unknown) => {
			// The topology stopped what it had started; its data goes too, its logs stay.
			if (readdirSync(dir).includes('logs')) {
				removeAllButLogs(dir);
				console.error(`queue topology logs kept in ${dir}`);
			} else {
				rmSync(dir, { recursive: true, force: true });
			}
			throw error;
		},
	);
	started.queue = queue;
	if (started.interrupted) {
		await stop('keep-logs');
		process.exit(130);
	}
	let ok = false;
	try {
		const target: ApiTarget = { baseUrl: queue.mainUrl, apiKey: queue.apiKey, major, webhookBaseUrl: queue.frontUrl };
		const targets = await deployTargets(queue, target);
		const fronts: Front[] = [
			{ label: '1 webhook process', base: queue.pinnedFrontUrl },
			{ label: '2 webhook processes', base: queue.roundRobinFrontUrl },
		];
		const cells: Cell[] = fronts.flatMap((front) => targets.map((t) => ({ front, target: t, request: t.request(front.base), steps: [], held: 0, answered200: 0 })));
		await warmUp(cells, queue, target);

		console.log(`\n## Trigger in queue mode: events per second at p99 under ${P99_LIMIT_MS} ms, n8n ${n8nVersion(major)}`);
		console.log(`n8n main, 2 webhook processes, 2 workers, PostgreSQL, Redis, nginx (started in ${Math.round((Date.now() - startedAt) / 1000)} s); ${settingsLine()}`);
		console.log(
			`Open loop: ${STEP_SECONDS} s per step at ${RATES.join(', ')} events/s, held if every answer is 200 and p99 <= ${P99_LIMIT_MS} ms ` +
				`(${TRIES} ${TRIES === 1 ? 'try' : 'tries'}); ` +
				`"1 webhook process": klink-pinned front (process 2 backup only), "2 webhook processes": round robin`,
		);
		const stepsStarted = Date.now();
		let budgetHit = false;
		for (let s = 0; s < RATES.length; s++) {
			const live = cells.filter((cell) => !cell.failedAt);
			if (live.length === 0) break;
			if ((Date.now() - stepsStarted) / 1000 > BUDGET_SECONDS) {
				budgetHit = true;
				break;
			}
			for (let i = 0; i < live.length; i++) {
				const cell = live[(s + i) % live.length];
				for (let attempt = 1; ; attempt++) {
					const step = await openLoopStep(cell, RATES[s], STEP_SECONDS);
					const drainMs = await drain(queue, target);
					cell.steps.push(step);
					const last = step.held || attempt >= TRIES;
					console.log(`${stepLine(cell, step, drainMs)}${last ? '' : '  (trying again)'}`);
					if (step.held) cell.held = step.rate;
					else if (last) cell.failedAt = step;
					if (last) break;
				}
			}
		}
		if (budgetHit) console.log(`(time budget of ${BUDGET_SECONDS} s for the steps reached: rates still holding are marked ">=")`);

		const col = 26;
		const first = 44;
		console.log(`\n${`Sustained rate at p99 <= ${P99_LIMIT_MS} ms`.padEnd(first)} ${fronts.map((f) => f.label.padEnd(col)).join(' ')} 2 / 1 processes`);
		const cellOf = (front: Front, t: Target) => cells.find((c) => c.front === front && c.target === t) as Cell;
		const rows: string[][] = [];
		for (const t of targets) {
			const [one, two] = fronts.map((front) => cellOf(front, t));
			console.log(`${t.label.padEnd(first)} ${[one, two].map((c) => rateCell(c).padEnd(col)).join(' ')} ${ratio(two, one)}`);
			rows.push([t.label, rateCell(one), rateCell(two), ratio(two, one)]);
		}
		const [webhookTarget, ...klinkTargets] = targets;
		for (const t of klinkTargets) {
			const label = `${t.label.replace('Klink Trigger, ', 'Klink (')}) / Webhook node`;
			const ratios = fronts.map((front) => ratio(cellOf(front, t), cellOf(front, webhookTarget)));
			console.log(`${label.padEnd(first)} ${ratios.map((r) => r.padEnd(col)).join(' ').trimEnd()}`);
			rows.push([label, ...ratios, '']);
		}
		const notes: string[] = [];
		for (const cell of cells.filter((c) => c.failedAt)) {
			const step = cell.failedAt as StepResult;
			const failures = [...step.failures].map(([what, count]) => `${count} ${what}`).join(', ');
			const line =
				`${cell.target.label}, ${cell.front.label}: failed at ${step.rate}/s (${TRIES > 1 ? 'last try: ' : ''}p99 ${fmtMs(percentile(step.latencies, 99))}` +
				`${failures ? `, not 200: ${failures}` : ''}${step.sent < step.planned ? `, stopped after ${step.sent} of ${step.planned}` : ''})`;
			console.log(`  ${line}`);
			notes.push(line);
		}
		// Every 200 started one execution: what n8n stored, per workflow (both fronts and the warm-up included).
		for (const t of targets) {
			const answered = cells.filter((c) => c.target === t).reduce((sum, c) => sum + c.answered200, 0);
			const stored = await countExecutions(target, t.workflowId);
			const total = Object.values(stored).reduce((sum, n) => sum + n, 0);
			const byStatus = Object.entries(stored).map(([status, n]) => `${n} ${status}`).join(', ');
			console.log(`  ${t.label}: ${answered} answered 200, ${total} executions stored (${byStatus})`);
			notes.push(`${t.label}: ${answered} answered 200, ${total} executions stored (${byStatus})`);
		}
		console.log(`  answer bodies: ${targets.map((t) => `${t.label}: ${JSON.stringify((t.sampleAnswer ?? '').slice(0, 60))}`).join('; ')}`);
		const whole = `load average (1 min) at the end: ${loadavg()[0].toFixed(1)} on this machine; whole run ${Math.round((Date.now() - startedAt) / 1000)} s`;
		console.log(`  ${whole}`);
		notes.push(whole);
		if (budgetHit) notes.push(`time budget of ${BUDGET_SECONDS} s for the steps reached: rates still holding are marked ">="`);
		recordTable({
			section: `Trigger in queue mode: n8n ${n8nVersion(major)}`,
			caption:
				`Highest open-loop rate (${STEP_SECONDS} s steps at ${RATES.join(', ')} events/s) at which every answer is 200 and p99 <= ${P99_LIMIT_MS} ms; ` +
				`"1 webhook process": klink-pinned front, "2 webhook processes": round robin; ${settingsLine()}.`,
			columns: [`Sustained rate at p99 <= ${P99_LIMIT_MS} ms`, ...fronts.map((f) => f.label), '2 / 1 processes'],
			rows,
			notes,
		});
		ok = true;
	} finally {
		if (!ok) console.error(`queue topology logs kept in ${queue.dir}/logs`);
		await stop(ok ? true : 'keep-logs');
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
