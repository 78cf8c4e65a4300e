import { spawn, type ChildProcess } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { logIn } from '../e2e/harness/n8nInstance';
import { repoRoot } from '../e2e/harness/versions';

/**
 * `npm run dev` as a new user runs it, with an install-script ban inherited from the environment (as `npm run`
 * exports the repo's .npmrc): it must print a login that works and an n8n that has the Klink nodes.
 */
const major = process.env.N8N_MAJOR === '2' ? 2 : 1;
const port = Number(process.env.KLINK_DEV_TEST_PORT ?? 5790 + major);
// A first start installs n8n (5-8 minutes on 2 cores) before it builds, packs and starts.
const START_TIMEOUT_MS = 20 * 60_000;

let child: ChildProcess | undefined;
let output = '';
const userFolder = mkdtempSync(join(tmpdir(), `klink-dev-test-n8n${major}-`));

afterAll(async () => {
	if (child?.pid && child.exitCode === null) {
		process.kill(-child.pid, 'SIGTERM');
		await new Promise<void>((resolve) => {
			const timer = setTimeout(() => {
				if (child?.pid) process.kill(-child.pid, 'SIGKILL');
				resolve();
			}, 20_000);
			child?.once('exit', () => {
				clearTimeout(timer);
				resolve();
			});
		});
	}
	rmSync(userFolder, { recursive: true, force: true });
});

function waitForLogin(): Promise<{ url: string; email: string; password: string }> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`no login printed:\n${output.slice(-3000)}`)), START_TIMEOUT_MS);
		const onData = (chunk: Buffer) => {
			output += chunk.toString('utf8');
			const match = /n8n with n8n-nodes-klink: (\S+)\s+login (\S+) \/ (\S+)/.exec(output);
			if (match) {
				clearTimeout(timer);
				resolve({ url: match[1], email: match[2], password: match[3] });
			}
		};
		child?.stdout?.on('data', onData);
		child?.stderr?.on('data', onData);
		child?.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`npm run dev exited with ${code}:\n${output.slice(-3000)}`));
		});
	});
}

describe(`npm run dev (n8n ${major}.x)`, () => {
	it(
		'prints a login that signs in to an n8n showing the Klink nodes',
		async () => {
			child = spawn('npm', ['run', 'dev'], {
				cwd: repoRoot,
				detached: true,
				stdio: ['ignore', 'pipe', 'pipe'],
				env: {
					...process.env,
					N8N_MAJOR: String(major),
					N8N_PORT: String(port),
					KLINK_DEV_USER_FOLDER: userFolder,
					npm_config_ignore_scripts: 'true',
				},
			});
			const login = await waitForLogin();
			expect(login.url).toBe(`http://127.0.0.1:${port}/`);

			const cookie = await logIn(login.url, login.email, login.password);
			expect(cookie).toMatch(/n8n-auth=/);

			const types = await fetch(new URL('types/nodes.json', login.url), { headers: { cookie } });
			expect(types.status).toBe(200);
			const names = ((await types.json()) as Array<{ name: string }>).map((type) => type.name);
			expect(names).toEqual(
				expect.arrayContaining(['n8n-nodes-klink.klinkTrigger', 'n8n-nodes-klink.klink']),
			);
		},
		START_TIMEOUT_MS + 60_000,
	);
});
