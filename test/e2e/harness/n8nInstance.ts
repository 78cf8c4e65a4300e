import { execFile, spawn, type ChildProcess } from 'child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';

import type { QueueTopology } from './queueTopology';
import { n8nInstallDir, nodeBinary, type N8nMajor } from './versions';

export interface InstanceInfo {
	major: N8nMajor;
	port: number;
	brokerPort: number;
	baseUrl: string;
	userFolder: string;
	logFile: string;
	apiKey: string;
	cookie: string;
	pid: number;
	/**
	 * Queue mode only: the public base production webhooks are served on (the nginx front); `baseUrl` is then
	 * n8n main (REST, editor), whose production webhooks are off. Absent, webhooks are on `baseUrl`.
	 */
	webhookBaseUrl?: string;
	/** Queue mode only: the whole topology (see queueTopology.ts); `pid`, `logFile`, `port` are main's. */
	queue?: QueueTopology;
}

const ENCRYPTION_KEY = 'klink-e2e-encryption-key-not-a-secret';
const OWNER = { email: 'owner@klink-e2e.test', firstName: 'Klink', lastName: 'Tester', password: 'KlinkE2e-Passw0rd!' };

/**
 * The environment of one n8n process. `webhookBaseUrl` is the public webhook base n8n builds Production URLs
 * from (default: the process's own address); behind a proxy it is the proxy's address.
 */
export function n8nEnvironment(
	major: N8nMajor,
	port: number,
	brokerPort: number,
	userFolder: string,
	webhookBaseUrl = `http://127.0.0.1:${port}/`,
) {
	const env: Record<string, string> = {
		PATH: process.env.PATH ?? '/usr/bin:/bin',
		HOME: process.env.HOME ?? '/root',
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		DB_SQLITE_POOL_SIZE: '2',
		N8N_RUNNERS_ENABLED: 'true',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
	};
	if (major === 1) env.WEBHOOK_URL = webhookBaseUrl;
	else {
		env.N8N_WEBHOOK_URL = webhookBaseUrl;
		env.N8N_DISABLED_MODULES = 'mcp-registry';
	}
	return { ...env, ...settingsFromEnvironment() };
}

/**
 * n8n settings to try without editing the harness: `KLINK_N8N_SETTINGS="N8N_A=1 N8N_B=x"` applies them to every
 * n8n process the tests and benchmarks start (e.g. the expression engine settings the README discusses).
 */
function settingsFromEnvironment(): Record<string, string> {
	const pairs = (process.env.KLINK_N8N_SETTINGS ?? '').split(/\s+/).filter(Boolean);
	return Object.fromEntries(pairs.map((pair) => {
		const at = pair.indexOf('=');
		if (at <= 0) throw new Error(`KLINK_N8N_SETTINGS: "${pair}" is not NAME=value`);
		return [pair.slice(0, at), pair.slice(at + 1)];
	}));
}

/**
 * <userFolder>/.n8n/nodes, with the package.json n8n keeps there (n8n's own, whose dependencies list the
 * community packages installed).
 */
function nodesFolder(userFolder: string): string {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	if (!existsSync(join(nodesDir, 'package.json'))) {
		writeFileSync(join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2));
	}
	return nodesDir;
}

const execFileAsync = promisify(execFile);

/**
 * Installs the packed package into <userFolder>/.n8n/nodes as n8n's Community Nodes panel does on both pinned
 * lines (`CommunityPackagesService.downloadPackage`): the tarball unpacked into node_modules/<name>, its
 * package.json stripped of dev, peer and optional dependencies, `npm install` run inside it with n8n's own
 * arguments, and the package recorded in the folder's package.json. (A plain `npm install <tarball>` there
 * would also resolve n8n-workflow's whole tree for the peer dependency, which the panel never does.)
 */
export async function installPackage(userFolder: string, tarball: string): Promise<void> {
	const nodesDir = nodesFolder(userFolder);
	const staging = mkdtempSync(join(nodesDir, '.unpack-'));
	try {
		await execFileAsync('tar', ['-xzf', tarball, '-C', staging, '--strip-components=1']);
		const manifest = JSON.parse(readFileSync(join(staging, 'package.json'), 'utf8')) as { name: string; version: string; [key: string]: unknown };
		for (const key of ['devDependencies', 'peerDependencies', 'optionalDependencies']) delete manifest[key];
		writeFileSync(join(staging, 'package.json'), JSON.stringify(manifest, null, 2));
		const packageDir = join(nodesDir, 'node_modules', manifest.name);
		rmSync(packageDir, { recursive: true, force: true });
		mkdirSync(join(packageDir, '..'), { recursive: true });
		renameSync(staging, packageDir);
		try {
			await execFileAsync('npm', ['install', ...PANEL_NPM_ARGS], { cwd: packageDir });
		} catch (error) {
			throw new Error(`npm install in ${packageDir} failed: ${(error as { stderr?: string }).stderr ?? (error as Error).message}`);
		}
		const nodesManifestFile = join(nodesDir, 'package.json');
		const nodesManifest = JSON.parse(readFileSync(nodesManifestFile, 'utf8')) as { dependencies?: Record<string, string> };
		nodesManifest.dependencies = { ...nodesManifest.dependencies, [manifest.name]: manifest.version };
		writeFileSync(nodesManifestFile, JSON.stringify(nodesManifest, null, 2));
	} finally {
		rmSync(staging, { recursive: true, force: true });
	}
}

/** The arguments n8n's Community Nodes panel gives `npm install` (NPM_COMMON_ARGS and NPM_INSTALL_ARGS there). */
const PANEL_NPM_ARGS = ['--audit=false', '--fund=false', '--bin-links=false', '--install-strategy=shallow', '--ignore-scripts=true', '--package-lock=false'];

export async function sleepMs(ms: number): Promise<void> {
	await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once `logFile` matches `pattern`; throws with the log's tail if `child` exits first or time runs out. */
export async function waitForLog(logFile: string, pattern: RegExp, child: ChildProcess, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (child.exitCode !== null || child.signalCode !== null) {
			throw new Error(`n8n exited with ${child.exitCode}:\n${readFileSync(logFile, 'utf8').slice(-4000)}`);
		}
		if (existsSync(logFile) && pattern.test(readFileSync(logFile, 'utf8'))) return;
		await sleepMs(250);
	}
	throw new Error(`n8n did not log ${pattern} within ${timeoutMs} ms:\n${readFileSync(logFile, 'utf8').slice(-4000)}`);
}

/** Starts n8n in the background; resolves once its editor and active workflows are up. */
export async function startN8n(options: {
	major: N8nMajor;
	port: number;
	brokerPort: number;
	userFolder: string;
	logFile: string;
	extraEnv?: Record<string, string>;
	/** Node options before n8n's script, e.g. `--cpu-prof` (Node 20 refuses it in NODE_OPTIONS). */
	nodeArgs?: string[];
}): Promise<ChildProcess> {
	const { major, port, brokerPort, userFolder, logFile } = options;
	const startedAt = readLogLength(logFile);
	const env = { ...n8nEnvironment(major, port, brokerPort, userFolder), ...options.extraEnv };
	const child = spawnN8n(major, 'start', env, logFile, options.nodeArgs);
	await waitForLog(logFile, logMatchSince(startedAt, /Editor is now accessible via/), child, 120_000);
	return child;
}

/**
 * Spawns `n8n <command>` (start, webhook, worker) with `env`, appending its output to `logFile`. Detached (its
 * own process group, so its task runner can be killed with it) and writing straight to the file, so n8n
 * outlives the jest worker that started it. Does not wait for anything.
 */
export function spawnN8n(major: N8nMajor, command: string, env: Record<string, string>, logFile: string, nodeArgs: string[] = []): ChildProcess {
	const bin = join(n8nInstallDir(major), 'node_modules', 'n8n', 'bin', 'n8n');
	if (!existsSync(bin)) throw new Error(`n8n ${major}.x is not installed: run test/e2e/setup/install-n8n.sh ${major}`);
	const fullEnv = { ...env };
	if (major === 2) fullEnv.PATH = `${join(nodeBinary(2), '..')}:${fullEnv.PATH}`;
	const log = openSync(logFile, 'a');
	const child = spawn(nodeBinary(major), [...nodeArgs, bin, command], { env: fullEnv, stdio: ['ignore', log, log], detached: true });
	closeSync(log);
	child.unref();
	return child;
}

/** A pattern that only matches what `logFile` got after `offset` characters (a restart appends to the log). */
export function logMatchSince(offset: number, pattern: RegExp): RegExp {
	return { test: (text: string) => pattern.test(text.slice(offset)) } as RegExp;
}

export function readLogLength(logFile: string): number {
	return existsSync(logFile) ? readFileSync(logFile, 'utf8').length : 0;
}

export async function stopN8n(child: ChildProcess | number): Promise<void> {
	const pid = typeof child === 'number' ? child : child.pid;
	if (!pid) return;
	try {
		process.kill(pid, 'SIGTERM');
	} catch {
		return;
	}
	const deadline = Date.now() + 20_000;
	while (Date.now() < deadline) {
		try {
			process.kill(pid, 0);
		} catch {
			return;
		}
		await sleepMs(100);
	}
	process.kill(pid, 'SIGKILL');
}

async function rest(baseUrl: string, path: string, init: RequestInit & { cookie?: string } = {}) {
	const headers: Record<string, string> = { 'content-type': 'application/json', 'browser-id': 'klink-e2e' };
	if (init.cookie) headers.cookie = init.cookie;
	const response = await fetch(new URL(path, baseUrl), { ...init, headers: { ...headers, ...(init.headers as object) } });
	return response;
}

/**
 * Resolves once n8n's REST API answers with JSON. Readiness turns green, and n8n answers
 * "200 n8n is starting up" as text, while migrations run and before the REST routes exist.
 */
export async function waitForRestApi(baseUrl: string, timeoutMs = 300_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let last = 'no answer';
	while (Date.now() < deadline) {
		try {
			const response = await rest(baseUrl, '/rest/settings');
			const type = response.headers.get('content-type') ?? '';
			const text = await response.text();
			if (response.ok && type.includes('application/json')) {
				JSON.parse(text);
				return;
			}
			last = `${response.status} ${text.slice(0, 80)}`;
		} catch (error) {
			last = (error as Error).message;
		}
		await sleepMs(500);
	}
	throw new Error(`n8n's REST API did not come up within ${timeoutMs} ms (last answer: ${last})`);
}

/** Signs in through n8n's REST login; returns the session cookie. */
export async function logIn(baseUrl: string, email: string, password: string): Promise<string> {
	const login = await rest(baseUrl, '/rest/login', {
		method: 'POST',
		body: JSON.stringify({ email, emailOrLdapLoginId: email, password }),
	});
	if (!login.ok) throw new Error(`login failed: ${login.status} ${(await login.text()).slice(0, 200)}`);
	return (login.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
}

/** Owner account, session cookie and a public-API key, all through n8n's own REST API. */
export async function setUpOwner(baseUrl: string): Promise<{ apiKey: string; cookie: string }> {
	await waitForRestApi(baseUrl);
	const setup = await rest(baseUrl, '/rest/owner/setup', { method: 'POST', body: JSON.stringify(OWNER) });
	// 400: the owner exists already (a second start on the same user folder).
	if (!setup.ok && setup.status !== 400) throw new Error(`owner setup failed: ${setup.status} ${await setup.text()}`);
	const cookie = await logIn(baseUrl, OWNER.email, OWNER.password);
	const scopesResponse = await rest(baseUrl, '/rest/api-keys/scopes', { cookie });
	const scopes = ((await scopesResponse.json()) as { data: string[] }).data;
	const created = await rest(baseUrl, '/rest/api-keys', {
		method: 'POST',
		cookie,
		body: JSON.stringify({ label: `e2e-${Date.now()}`, expiresAt: null, scopes }),
	});
	if (!created.ok) throw new Error(`api key creation failed: ${created.status} ${await created.text()}`);
	const apiKey = ((await created.json()) as { data: { rawApiKey: string } }).data.rawApiKey;
	return { apiKey, cookie };
}

export function newUserFolder(label: string): string {
	return mkdtempSync(join(tmpdir(), `klink-${label}-`));
}

export { OWNER };
