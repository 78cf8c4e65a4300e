import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import {
	installPackage,
	logMatchSince,
	n8nEnvironment,
	readLogLength,
	setUpOwner,
	sleepMs,
	spawnN8n,
	waitForLog,
} from './n8nInstance';
import { startNginx, stopNginx, type FrontVariant, type NginxState } from './queue/nginx';
import { initPostgres, postgresEnvironment, restartPostgres as restartPostgresServer, stopPostgres, type PostgresState } from './queue/postgres';
import { isAlive, killProcessGroup, stopProcess, assertPortsFree, waitForPortClosed } from './queue/processes';
import { redisEnvironment, restartRedis as restartRedisServer, startRedis, stopRedis, type RedisState } from './queue/redis';
import { n8nVersion, type N8nMajor } from './versions';

/**
 * n8n in queue mode (EXECUTIONS_MODE=queue) on one machine, all on 127.0.0.1, every part a plain process with
 * its own port and folder under one topology folder (outside the repository):
 *
 *   client ─▶ nginx front ─┬─ /webhook/*  ─▶ n8n webhook 1, n8n webhook 2 ("klink pinned" or round robin)
 *                          └─ everything else (editor, REST, /webhook-test/) ─▶ n8n main
 *   n8n main, webhook processes ─ enqueue executions ─▶ Redis ─▶ n8n worker 1, n8n worker 2 (run them)
 *   every n8n process ─▶ PostgreSQL (workflows, credentials, executions)
 *
 * nginx serves two fronts with the two ways of routing /webhook/ (see queue/nginx.ts): "klink pinned" (every
 * production webhook to webhook process 1, process 2 as backup: the README's recipe) and round-robin. The one
 * chosen as `publicFront` is n8n's public webhook base (N8N_WEBHOOK_URL / WEBHOOK_URL): the Production URL
 * users paste into klink, which klink signs, and which the trigger calls itself (its dedupe-record flush).
 *
 * Ports, from a base port B (`KLINK_QUEUE_PORT` in the scripts; keep B..B+8 and B+1000..B+1008 free):
 *   B the public front, B+1 the other front, B+2 main, B+3 and B+4 webhook processes, B+5 and B+6 workers
 *   (health check: GET /healthz/readiness), B+7 PostgreSQL, B+8 Redis; each n8n process's task broker on its
 *   port + 1000.
 *
 * Every n8n process has its own user folder with the packed package installed into its .n8n/nodes, as a user
 * installs it on each machine of a queue-mode setup. Start order: PostgreSQL and Redis, main (migrations, owner
 * account), then the webhook processes and workers, then nginx. The whole state is a plain JSON object
 * (`QueueTopology`), so a test process other than the one that started it (jest's global setup writes it to
 * the e2e state file) can kill, restart and read the logs of every part. Functions that change a process
 * return the updated topology: store it again (the e2e harness's state file does).
 */
export interface QueueProcess {
	role: 'main' | 'webhook' | 'worker';
	/** 1-based among processes of the same role; main is 1. */
	index: number;
	name: string;
	/** N8N_PORT (main, webhook) or QUEUE_HEALTH_CHECK_PORT (worker). */
	port: number;
	brokerPort: number;
	userFolder: string;
	logFile: string;
	pid: number;
}

export interface QueueTopology {
	major: N8nMajor;
	dir: string;
	basePort: number;
	/** The public address (port B): nginx with `publicFront`'s routing; n8n's public webhook base. */
	frontUrl: string;
	publicFront: FrontVariant;
	/** The front with the "klink pinned" routing (webhook 1, webhook 2 as backup): B or B+1. */
	pinnedFrontUrl: string;
	/** The front with round-robin routing: B or B+1. */
	roundRobinFrontUrl: string;
	/** n8n main's own address (REST API, editor), without nginx. */
	mainUrl: string;
	apiKey: string;
	cookie: string;
	postgres: PostgresState;
	redis: RedisState;
	nginx: NginxState;
	main: QueueProcess;
	webhooks: QueueProcess[];
	workers: QueueProcess[];
	queuePrefix: string;
	/** Settings added to every n8n process at its last start (restartN8nProcesses changes them). */
	extraEnv: Record<string, string>;
	/** Milliseconds from the start call until each stage was ready. */
	startup: Record<string, number>;
}

export interface QueueTopologyOptions {
	major: N8nMajor;
	/** The packed package (npm pack), installed into every n8n process's user folder. */
	tarball: string;
	basePort: number;
	/** Folder for everything (data, user folders, logs); default: a new one under the OS temp folder. */
	dir?: string;
	/** The front that is n8n's public webhook base (port B); default "klink-pinned", the README's recipe. */
	publicFront?: FrontVariant;
	/** Added to every n8n process's environment. */
	extraEnv?: Record<string, string>;
	/** Progress lines ("postgres ready after 2100 ms"); default: none. */
	log?: (line: string) => void;
}

const WEBHOOK_PROCESSES = 2;
const WORKERS = 2;

/** The ports of a topology with base port `base` (see the layout above). */
export function queuePorts(base: number) {
	return {
		front: base,
		otherFront: base + 1,
		main: base + 2,
		webhooks: Array.from({ length: WEBHOOK_PROCESSES }, (_, i) => base + 3 + i),
		workers: Array.from({ length: WORKERS }, (_, i) => base + 3 + WEBHOOK_PROCESSES + i),
		postgres: base + 3 + WEBHOOK_PROCESSES + WORKERS,
		redis: base + 4 + WEBHOOK_PROCESSES + WORKERS,
	};
}

function allPorts(base: number): number[] {
	const ports = queuePorts(base);
	const n8nPorts = [ports.main, ...ports.webhooks, ...ports.workers];
	return [ports.front, ports.otherFront, ...n8nPorts, ports.postgres, ports.redis, ...n8nPorts.map((port) => port + 1000)];
}

/** Starts the whole topology; resolves once every part is ready and the owner account exists. */
export async function startQueueTopology(options: QueueTopologyOptions): Promise<QueueTopology> {
	const { major, basePort } = options;
	const log = options.log ?? (() => undefined);
	const started = Date.now();
	const startup: Record<string, number> = {};
	const mark = (stage: string) => {
		startup[stage] = Date.now() - started;
		log(`${stage} ready after ${startup[stage]} ms`);
	};
	await assertPortsFree(allPorts(basePort));
	const ports = queuePorts(basePort);
	// PostgreSQL's server user must be able to enter the folder: mkdtemp makes it 0700.
	const dir = options.dir ?? mkdtempSync(join(tmpdir(), `klink-queue-n8n${major}-`));
	mkdirSync(dir, { recursive: true });
	chmodSync(dir, 0o755);
	const publicFront = options.publicFront ?? 'klink-pinned';
	const otherFront: FrontVariant = publicFront === 'klink-pinned' ? 'round-robin' : 'klink-pinned';
	const frontUrl = `http://127.0.0.1:${ports.front}/`;
	const otherFrontUrl = `http://127.0.0.1:${ports.otherFront}/`;
	const describeProcess = (role: QueueProcess['role'], index: number, port: number): QueueProcess => {
		const name = role === 'main' ? 'main' : `${role}-${index}`;
		const userFolder = join(dir, `n8n-${name}`);
		return { role, index, name, port, brokerPort: port + 1000, userFolder, logFile: join(dir, 'logs', `n8n-${name}.log`), pid: 0 };
	};
	const main = describeProcess('main', 1, ports.main);
	const webhooks = ports.webhooks.map((port, i) => describeProcess('webhook', i + 1, port));
	const workers = ports.workers.map((port, i) => describeProcess('worker', i + 1, port));
	mkdirSync(join(dir, 'logs'), { recursive: true });

	const partial: Partial<QueueTopology> = { major, dir, basePort, main, webhooks, workers };
	try {
		// The package installs (npm) while PostgreSQL and Redis come up; main's first, the others also while
		// main starts.
		const mainInstall = installPackage(main.userFolder, options.tarball);
		const otherInstalls = Promise.all([...webhooks, ...workers].map((p) => installPackage(p.userFolder, options.tarball)));
		otherInstalls.catch(() => undefined);
		const postgres = initPostgres(join(dir, 'postgres'), ports.postgres);
		partial.postgres = postgres;
		mark('postgres');
		const redis = await startRedis(join(dir, 'redis'), ports.redis);
		partial.redis = redis;
		mark('redis');
		await mainInstall;
		mark('package install (main)');
		const topology: QueueTopology = {
			major,
			dir,
			basePort,
			frontUrl,
			publicFront,
			pinnedFrontUrl: publicFront === 'klink-pinned' ? frontUrl : otherFrontUrl,
			roundRobinFrontUrl: publicFront === 'round-robin' ? frontUrl : otherFrontUrl,
			mainUrl: `http://127.0.0.1:${ports.main}/`,
			apiKey: '',
			cookie: '',
			postgres,
			redis,
			nginx: { dir: join(dir, 'nginx'), configFile: '', logFile: '', accessLog: '', pid: 0, servers: [] },
			main,
			webhooks,
			workers,
			queuePrefix: 'klink-queue',
			extraEnv: options.extraEnv ?? {},
			startup,
		};
		Object.assign(partial, topology);
		await startN8nProcess(topology, main);
		mark('main');
		const owner = await setUpOwner(topology.mainUrl);
		topology.apiKey = owner.apiKey;
		topology.cookie = owner.cookie;
		mark('owner');
		await otherInstalls;
		mark('package installs (webhook processes, workers)');
		await startWebhooksAndWorkers(topology);
		mark('webhook processes and workers');
		topology.nginx = await startNginx(join(dir, 'nginx'), { main: ports.main, webhooks: ports.webhooks }, [
			{ port: ports.front, variant: publicFront },
			{ port: ports.otherFront, variant: otherFront },
		]);
		Object.assign(partial, topology);
		mark('nginx');
		log(`n8n ${n8nVersion(major)} in queue mode: front ${frontUrl} (${publicFront}), main ${topology.mainUrl}, logs in ${join(dir, 'logs')}`);
		return topology;
	} catch (error) {
		await stopQueueTopology(partial);
		throw error;
	}
}

async function startWebhooksAndWorkers(topology: QueueTopology): Promise<void> {
	await Promise.all([...topology.webhooks, ...topology.workers].map((p) => startN8nProcess(topology, p)));
}

/** The environment of one n8n process of the topology. */
export function queueProcessEnvironment(topology: QueueTopology, p: QueueProcess): Record<string, string> {
	const env: Record<string, string> = {
		...n8nEnvironment(topology.major, p.port, p.brokerPort, p.userFolder, topology.frontUrl),
		...postgresEnvironment(topology.postgres),
		...redisEnvironment(topology.redis, topology.queuePrefix),
		EXECUTIONS_MODE: 'queue',
		// Every request reaches main and the webhook processes through nginx: one proxy hop.
		N8N_PROXY_HOPS: '1',
	};
	if (p.role === 'main') {
		env.N8N_DISABLE_PRODUCTION_MAIN_PROCESS = 'true';
		env.N8N_EDITOR_BASE_URL = topology.frontUrl;
	}
	if (p.role === 'worker') {
		env.QUEUE_HEALTH_CHECK_ACTIVE = 'true';
		env.QUEUE_HEALTH_CHECK_PORT = String(p.port);
	}
	return { ...env, ...topology.extraEnv };
}

const COMMAND = { main: 'start', webhook: 'webhook', worker: 'worker' } as const;
const READY_LOG = {
	main: /Editor is now accessible via/,
	webhook: /Webhook listener waiting for requests/,
	worker: /n8n worker is now ready/,
} as const;

/** Starts one n8n process of the topology (updating its pid) and waits until it is ready. */
async function startN8nProcess(topology: QueueTopology, p: QueueProcess): Promise<void> {
	const offset = readLogLength(p.logFile);
	const child = spawnN8n(topology.major, COMMAND[p.role], queueProcessEnvironment(topology, p), p.logFile);
	p.pid = child.pid ?? 0;
	await waitForLog(p.logFile, logMatchSince(offset, READY_LOG[p.role]), child, 180_000);
	if (p.role === 'worker') await waitForWorkerHealth(p.port);
}

async function waitForWorkerHealth(port: number, timeoutMs = 60_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let last = 'no answer';
	while (Date.now() < deadline) {
		try {
			const response = await fetch(`http://127.0.0.1:${port}/healthz/readiness`);
			last = `${response.status} ${await response.text()}`;
			if (response.ok) return;
		} catch (error) {
			last = (error as Error).message;
		}
		await sleepMs(200);
	}
	throw new Error(`worker health check on ${port} not ready within ${timeoutMs} ms (last: ${last})`);
}

/**
 * Stops everything that runs (nginx, webhook processes, workers, main, Redis, PostgreSQL, in that order).
 * `remove: true` then deletes the topology's folder; `'keep-logs'` deletes all of it but logs/ (n8n's logs)
 * and the logs of nginx, Redis and PostgreSQL. Accepts a topology that only partly started.
 */
export async function stopQueueTopology(
	topology: Partial<QueueTopology>,
	options: { remove?: boolean | 'keep-logs' } = {},
): Promise<void> {
	const errors: unknown[] = [];
	const attempt = async (step: () => unknown) => {
		try {
			await step();
		} catch (error) {
			errors.push(error);
		}
	};
	if (topology.nginx) await attempt(() => stopNginx(topology.nginx!));
	await Promise.all([...(topology.webhooks ?? []), ...(topology.workers ?? [])].map((p) => attempt(() => stopProcess(p.pid))));
	if (topology.main) await attempt(() => stopProcess(topology.main!.pid));
	if (topology.redis) await attempt(() => stopRedis(topology.redis!, false));
	if (topology.postgres) await attempt(() => stopPostgres(topology.postgres!));
	if (options.remove === true && topology.dir) rmSync(topology.dir, { recursive: true, force: true });
	if (options.remove === 'keep-logs' && topology.dir) {
		for (const p of [topology.main, ...(topology.webhooks ?? []), ...(topology.workers ?? [])]) {
			if (p) rmSync(p.userFolder, { recursive: true, force: true });
		}
		if (topology.postgres) rmSync(topology.postgres.dataDir, { recursive: true, force: true });
		if (topology.nginx) rmSync(join(topology.nginx.dir, 'temp'), { recursive: true, force: true });
	}
	if (errors.length > 0) throw new Error(`stopping the queue topology: ${errors.map((e) => (e as Error).message).join('; ')}`);
}

function webhookProcess(topology: QueueTopology, index: number): QueueProcess {
	const p = topology.webhooks.find((candidate) => candidate.index === index);
	if (!p) throw new Error(`no webhook process ${index} (there are ${topology.webhooks.length})`);
	return p;
}

/** A crash of webhook process `index` (1-based): SIGKILL to it and its children, no clean-up. */
export async function killWebhookProcess(topology: QueueTopology, index: number): Promise<QueueTopology> {
	const p = webhookProcess(topology, index);
	await killProcessGroup(p.pid);
	// The group leader can be gone while the node process that listens is still dying: a connection the kernel
	// accepts for it meanwhile is reset, which nginx answers 502 (it never passes on a POST that was sent).
	await waitForPortClosed(p.port);
	p.pid = 0;
	return topology;
}

/** Starts webhook process `index` again (killing it first if it still runs); resolves once it listens. */
export async function restartWebhookProcess(topology: QueueTopology, index: number): Promise<QueueTopology> {
	const p = webhookProcess(topology, index);
	if (isAlive(p.pid)) await stopProcess(p.pid);
	await startN8nProcess(topology, p);
	return topology;
}

/**
 * Stops every n8n process and starts them again (main first) on the same database, queue and folders:
 * what a restart or an upgrade of the n8n deployment does. `extraEnv` replaces the extra settings.
 */
export async function restartN8nProcesses(topology: QueueTopology, extraEnv: Record<string, string> = {}): Promise<QueueTopology> {
	await Promise.all([...topology.webhooks, ...topology.workers].map((p) => stopProcess(p.pid)));
	await stopProcess(topology.main.pid);
	topology.extraEnv = extraEnv;
	// Main first: it runs the migrations of a new n8n version.
	await startN8nProcess(topology, topology.main);
	await startWebhooksAndWorkers(topology);
	return topology;
}

/**
 * Redis stopped gracefully and started again on the same port and folder. `keepData` (default) saves the
 * dataset on the way down (SHUTDOWN SAVE), so queued jobs survive, as with a persistent Redis.
 */
export async function restartRedis(topology: QueueTopology, keepData = true): Promise<QueueTopology> {
	topology.redis = await restartRedisServer(topology.redis, keepData);
	return topology;
}

/** PostgreSQL stopped (fast: clients disconnected, clean shutdown) and started again on the same data. */
export function restartPostgres(topology: QueueTopology): QueueTopology {
	restartPostgresServer(topology.postgres);
	return topology;
}

/** Every log file of the topology, by part. */
export function queueLogFiles(topology: QueueTopology) {
	return {
		main: topology.main.logFile,
		webhooks: topology.webhooks.map((p) => p.logFile),
		workers: topology.workers.map((p) => p.logFile),
		postgres: topology.postgres.logFile,
		redis: topology.redis.logFile,
		nginxError: topology.nginx.logFile,
		nginxAccess: topology.nginx.accessLog,
	};
}

/** All n8n processes' logs, concatenated (main, webhook processes, workers): what "n8n's log" is in queue mode. */
export function readN8nLogs(topology: QueueTopology): string {
	return [topology.main, ...topology.webhooks, ...topology.workers]
		.map((p) => (existsSync(p.logFile) ? readFileSync(p.logFile, 'utf8') : ''))
		.join('\n');
}

/**
 * Which n8n processes ran an execution, from their logs: a worker logs "Worker started execution <id> (job
 * <job>)" when it takes the job from the queue. Returns the names of the processes that logged it.
 */
export function processesThatRan(topology: QueueTopology, executionId: string): string[] {
	const line = new RegExp(`Worker started execution ${executionId} \\(job `);
	return [topology.main, ...topology.webhooks, ...topology.workers]
		.filter((p) => existsSync(p.logFile) && line.test(readFileSync(p.logFile, 'utf8')))
		.map((p) => p.name);
}

/**
 * The upstream (127.0.0.1:<port>) nginx's access log names for each request whose path contains `pathPart`,
 * oldest first: which webhook process served which request through the front.
 */
export function frontUpstreams(topology: QueueTopology, pathPart: string): Array<{ port: number; upstream: string; status: number; flush: boolean }> {
	if (!existsSync(topology.nginx.accessLog)) return [];
	return readFileSync(topology.nginx.accessLog, 'utf8')
		.split('\n')
		.filter((line) => line.includes(pathPart))
		.map((line) => {
			// After a failed attempt $upstream_addr lists every server tried: "127.0.0.1:5803, 127.0.0.1:5804".
			const match = /" (\d{3}) port=(\d+) upstream=(.+?) rt=/.exec(line);
			return { status: Number(match?.[1]), port: Number(match?.[2]), upstream: match?.[3] ?? '', flush: / flush=1$/.test(line) };
		});
}
