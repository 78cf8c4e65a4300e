import { sleepMs } from '../test/e2e/harness/n8nInstance';
import { n8nVersion, type N8nMajor } from '../test/e2e/harness/versions';
import type { ApiTarget } from '../test/e2e/harness/n8nApi';
import { benchPort, engineVariant, startBenchInstance } from './benchInstance';
import { RATIO_COLUMNS, ratioRow, recordTable } from './results';
import { median, ms, percentile, ratioLine } from './stats';
import { deployKlinkTrigger, deployTriggerTrio, newestExecution, type BenchRequest, type DeployedTrigger } from './triggerTargets';

/**
 * Sustained load on one n8n: events per second with IN_FLIGHT requests in flight all the time (each of
 * IN_FLIGHT senders posts its next event as soon as the last one is answered), and the latency of every
 * request, for Klink Trigger (signature, filters, dedupe), the bare community trigger and n8n's Webhook node.
 * Each target gets REQUESTS requests per round after a warm-up, in a different order each round; after each
 * phase the benchmark waits until n8n has finished the executions it started, so that no target pays for the
 * previous one's. Every event starts an execution, for all three.
 *
 *   node triggerLoad.bench.js <major> [defaults | pool<N> | lazy | legacy]
 */
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 50);
const REQUESTS = Number(process.env.BENCH_LOAD_REQUESTS ?? 600);
const LOAD_ROUNDS = Number(process.env.BENCH_LOAD_ROUNDS ?? 2);
const WARMUP = 100;

/** One request: its latency, or the status when n8n did not answer 200 (e.g. 503 while its database lags). */
async function post(request: BenchRequest): Promise<{ ms: number } | { status: number }> {
	const started = performance.now();
	const response = await fetch(request.url, { method: 'POST', headers: { 'content-type': 'application/json', ...request.headers }, body: request.body });
	await response.text();
	const elapsed = performance.now() - started;
	return response.status === 200 ? { ms: elapsed } : { status: response.status };
}

/**
 * `count` requests with `inFlight` of them in flight at any time; returns the latencies of the answered ones, the
 * statuses of the others and the wall time. Events per second count only the 200s.
 */
async function load(request: () => BenchRequest, count: number, inFlight: number): Promise<{ latencies: number[]; failed: number[]; wallMs: number }> {
	const latencies: number[] = [];
	const failed: number[] = [];
	let next = 0;
	const started = performance.now();
	const sender = async () => {
		while (next < count) {
			next++;
			const result = await post(request());
			if ('ms' in result) latencies.push(result.ms);
			else failed.push(result.status);
		}
	};
	await Promise.all(Array.from({ length: inFlight }, sender));
	return { latencies, failed, wallMs: performance.now() - started };
}

/**
 * Waits until n8n has started and finished the phase's executions: the workflow's newest execution has an id of
 * at least `minId` and is finished, or it has been finished and unchanged for 1.5 s (or 3 minutes passed).
 */
async function drain(target: ApiTarget, workflowId: string, minId: number): Promise<void> {
	const deadline = Date.now() + 180_000;
	let last = '';
	let stableSince = Date.now();
	while (Date.now() < deadline) {
		// n8n answers its API 503 too while its database lags under the load: ask again.
		const newest = await newestExecution(target, workflowId).catch(() => undefined);
		if (!newest) {
			await sleepMs(200);
			continue;
		}
		const finished = !['running', 'new', 'waiting'].includes(newest.status);
		const key = `${newest.id}:${newest.status}`;
		if (key !== last) {
			last = key;
			stableSince = Date.now();
		}
		if (finished && (Number(newest.id) >= minId || Date.now() - stableSince > 1500)) return;
		await sleepMs(100);
	}
	console.log(`(executions of workflow ${workflowId} still running after 3 minutes)`);
}

interface Result {
	trigger: DeployedTrigger;
	rates: number[];
	latencies: number[];
	failed: number[];
}

async function main(): Promise<void> {
	const major = (Number(process.argv[2]) === 2 ? 2 : 1) as N8nMajor;
	const variant = process.argv[3] ?? 'defaults';
	const { extraEnv, portSlot } = engineVariant(variant);
	const instance = await startBenchInstance(major, benchPort(5910 + major * 10 + portSlot), extraEnv);
	try {
		const { target } = instance;
		const trio = await deployTriggerTrio(target);
		const stored = await deployKlinkTrigger(target, trio.signature, 'stored');
		const results: Result[] = [trio.klink, trio.bare, trio.webhook, stored].map((trigger) => ({ trigger, rates: [], latencies: [], failed: [] }));
		for (const result of results) await load(result.trigger.request, WARMUP, IN_FLIGHT);
		for (let round = 0; round < LOAD_ROUNDS; round++) {
			for (let i = 0; i < results.length; i++) {
				const result = results[(round + i) % results.length];
				const before = Number((await newestExecution(target, result.trigger.workflowId).catch(() => undefined))?.id ?? 0);
				const { latencies, failed, wallMs } = await load(result.trigger.request, REQUESTS, IN_FLIGHT);
				result.rates.push((latencies.length / wallMs) * 1000);
				result.latencies.push(...latencies);
				result.failed.push(...failed);
				await drain(target, result.trigger.workflowId, before + REQUESTS);
			}
		}
		const settings = Object.entries(extraEnv).map(([name, value]) => `${name}=${value}`);
		const setting = settings.length > 0 ? ` with ${settings.join(' ')}` : ' (defaults)';
		console.log(`\n## Trigger under sustained load: n8n ${n8nVersion(major)}${setting}, ${IN_FLIGHT} requests in flight, ${LOAD_ROUNDS} x ${REQUESTS} requests per target`);
		for (const { trigger, rates, latencies, failed } of results) {
			const refused = failed.length > 0 ? `   not answered 200: ${failed.length} (${[...new Set(failed)].join(', ')})` : '';
			console.log(
				`${trigger.label.padEnd(32)} ${median(rates).toFixed(0).padStart(5)} events/s (rounds: ${rates.map((r) => r.toFixed(0)).join(', ')})   p50 ${ms(percentile(latencies, 50))}   p99 ${ms(percentile(latencies, 99))}${refused}`,
			);
		}
		const [klink, bare, webhook, klinkStored] = results;
		console.log(ratioLine('Klink Trigger / bare trigger, events per second', median(klink.rates) / median(bare.rates), undefined));
		console.log(ratioLine('Klink Trigger / Webhook node, events per second', median(klink.rates) / median(webhook.rates), undefined));
		// Both answer once n8n has stored the execution: the fair comparison for "When the Execution Is Stored".
		console.log(ratioLine('Klink Trigger (answer when stored) / Webhook node, events per second', median(klinkStored.rates) / median(webhook.rates), undefined));
		console.log(ratioLine('Klink Trigger / bare trigger, p99 latency', percentile(klink.latencies, 99) / percentile(bare.latencies, 99), undefined));
		recordTable({
			section: `Trigger under sustained load: n8n ${n8nVersion(major)}${settings.length > 0 ? `, ${settings.join(' ')}` : ', defaults'}`,
			caption: `${IN_FLIGHT} requests in flight, ${LOAD_ROUNDS} rounds of ${REQUESTS} requests per target; events per second count 200 answers only.`,
			columns: ['Target', 'events/s (median)', 'rounds', 'p50', 'p99', 'not answered 200'],
			rows: results.map(({ trigger, rates, latencies, failed }) => [
				trigger.label,
				median(rates).toFixed(0),
				rates.map((r) => r.toFixed(0)).join(', '),
				ms(percentile(latencies, 50)),
				ms(percentile(latencies, 99)),
				failed.length > 0 ? `${failed.length} (${[...new Set(failed)].join(', ')})` : '0',
			]),
		});
		recordTable({
			section: `Trigger under sustained load: n8n ${n8nVersion(major)}${settings.length > 0 ? `, ${settings.join(' ')}` : ', defaults'}`,
			columns: RATIO_COLUMNS,
			rows: [
				ratioRow('Klink Trigger / bare trigger, events per second', median(klink.rates) / median(bare.rates)),
				ratioRow('Klink Trigger / Webhook node, events per second', median(klink.rates) / median(webhook.rates)),
				ratioRow('Klink Trigger (answer when stored) / Webhook node, events per second', median(klinkStored.rates) / median(webhook.rates)),
				ratioRow('Klink Trigger / bare trigger, p99 latency', percentile(klink.latencies, 99) / percentile(bare.latencies, 99)),
			],
		});
	} finally {
		await instance.stop();
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
