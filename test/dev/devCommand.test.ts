import { spawn, type ChildProcess } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { logIn } from '../e2e/harness/n8nInstance';
import { portAnswers } from '../e2e/harness/queue/processes';
import { queuePorts } from '../e2e/harness/queueTopology';
import { repoRoot } from '../e2e/harness/versions';

/**
 * `npm run dev` as a new user runs it, with an install-script ban inherited from the environment (as `npm run`
 * exports the repo's .npmrc): it must print a login that works and an n8n that has the Klink nodes. The same
 * with `N8N_QUEUE=1` (n8n in queue mode behind nginx), which must also leave nothing running after SIGTERM.
 */
const major = process.env.N8N_MAJOR === '2' ? 2 : 1;
const port = Number(process.env.KLINK_DEV_TEST_PORT ?? 5790 + major);
const queueBasePort = Number(process.env.KLINK_DEV_QUEUE_TEST_PORT ?? 5750 + 10 * major);
// A first start installs n8n (5-8 minutes on 2 cores) before it builds, packs and starts.
const START_TIMEOUT_MS = 20 * 60_000;

interface DevRun {
	child: ChildProcess;
	output: string;
}

const runs: DevRun[] = [];
const userFolder = mkdtempSync(join(tmpdir(), `klink-dev-test-n8n${major}-`));

function groupRuns(pgid: number): boolean {
	try {
		process.kill(-pgid, 0);
		return true;
	} catch {
		return false;
	}
}

/**
 * SIGTERM to the whole process group `npm run dev` leads (what Ctrl-C does in a terminal, with SIGINT), then
 * waits until every process of the group has exited: npm itself dies of the signal at once, the dev script
 * after its clean-up. Resolves true if the group ended by itself, false if it had to be killed.
 */
async function stopDev(run: DevRun, timeoutMs = 90_000): Promise<boolean> {
	const pgid = run.child.pid;
	if (!pgid || !groupRuns(pgid)) return true;
	process.kill(-pgid, 'SIGTERM');
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (!groupRuns(pgid)) return true;
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	process.kill(-pgid, 'SIGKILL');
	return false;
}

afterAll(async () => {
	for (const run of runs) await stopDev(run);
	rmSync(userFolder, { recursive: true, force: true });
});

function startDev(env: Record<string, string>): DevRun {
	const child = spawn('npm', ['run', 'dev'], {
		cwd: repoRoot,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
		env: { ...process.env, N8N_MAJOR: String(major), npm_config_ignore_scripts: 'true', ...env },
	});
	const run = { child, output: '' };
	const onData = (chunk: Buffer) => (run.output += chunk.toString('utf8'));
	child.stdout?.on('data', onData);
	child.stderr?.on('data', onData);
	runs.push(run);
	return run;
}

function waitForLogin(run: DevRun): Promise<{ url: string; email: string; password: string }> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`no login printed:\n${run.output.slice(-3000)}`)), START_TIMEOUT_MS);
		const check = () => {
			const match = /n8n with n8n-nodes-klink: (\S+)\s+login (\S+) \/ (\S+)/.exec(run.output);
			if (!match) return;
			clearTimeout(timer);
			run.child.stdout?.off('data', check);
			run.child.stderr?.off('data', check);
			resolve({ url: match[1], email: match[2], password: match[3] });
		};
		run.child.stdout?.on('data', check);
		run.child.stderr?.on('data', check);
		run.child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`npm run dev exited with ${code}:\n${run.output.slice(-3000)}`));
		});
	});
}

async function expectKlinkNodes(login: { url: string; email: string; password: string }): Promise<void> {
	const cookie = await logIn(login.url, login.email, login.password);
	expect(cookie).toMatch(/n8n-auth=/);

	const types = await fetch(new URL('types/nodes.json', login.url), { headers: { cookie } });
	expect(types.status).toBe(200);
	const names = ((await types.json()) as Array<{ name: string }>).map((type) => type.name);
	expect(names).toEqual(expect.arrayContaining(['n8n-nodes-klink.klinkTrigger', 'n8n-nodes-klink.klink']));
}

/** Pids of processes whose command line or environment mentions `text` (a topology's folder). */
function processesMentioning(text: string): number[] {
	const found: number[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
		for (const file of ['cmdline', 'environ']) {
			try {
				if (readFileSync(`/proc/${entry}/${file}`).includes(text)) {
					found.push(Number(entry));
					break;
				}
			} catch {
				// gone, or not ours to read
			}
		}
	}
	return found;
}

describe(`npm run dev (n8n ${major}.x)`, () => {
	it(
		'prints a login that signs in to an n8n showing the Klink nodes',
		async () => {
			const run = startDev({ N8N_PORT: String(port), KLINK_DEV_USER_FOLDER: userFolder });
			const login = await waitForLogin(run);
			expect(login.url).toBe(`http://127.0.0.1:${port}/`);
			await expectKlinkNodes(login);
			await stopDev(run);
		},
		START_TIMEOUT_MS + 60_000,
	);

	it(
		'N8N_QUEUE=1: prints the front and a login showing the Klink nodes, and SIGTERM leaves nothing running',
		async () => {
			const run = startDev({ N8N_QUEUE: '1', KLINK_QUEUE_PORT: String(queueBasePort) });
			const login = await waitForLogin(run);
			expect(login.url).toBe(`http://127.0.0.1:${queueBasePort}/`);
			await expectKlinkNodes(login);
			const dir = /logs in (\/\S+)\/logs /.exec(run.output)?.[1];
			expect(dir).toBeDefined();
			const ports = queuePorts(queueBasePort);
			// The topology's processes: found by their folder (the PostgreSQL server's and nginx's command lines,
			// N8N_USER_FOLDER in each n8n process's environment) or, for Redis, which renames itself, its title.
			const topologyProcesses = () => [...processesMentioning(dir!), ...processesMentioning(`redis-server 127.0.0.1:${ports.redis}`)];
			// PostgreSQL, Redis, nginx and five n8n processes at least.
			expect(topologyProcesses().length).toBeGreaterThanOrEqual(8);

			expect(await stopDev(run)).toBe(true);
			expect(run.output).toContain('stopping the queue-mode topology');
			expect(topologyProcesses()).toEqual([]);
			const n8nPorts = [ports.main, ...ports.webhooks, ...ports.workers];
			const all = [ports.front, ports.otherFront, ports.postgres, ports.redis, ...n8nPorts, ...n8nPorts.map((p) => p + 1000)];
			const listening = [];
			for (const candidate of all) if (await portAnswers(candidate)) listening.push(candidate);
			expect(listening).toEqual([]);
			expect(existsSync(dir!)).toBe(false);
		},
		START_TIMEOUT_MS + 120_000,
	);
});
