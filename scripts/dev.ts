import { spawn } from 'child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'fs';
import { join } from 'path';

import { installPackage, logIn, n8nEnvironment, OWNER, setUpOwner } from '../test/e2e/harness/n8nInstance';
import { queueLogFiles, startQueueTopology, stopQueueTopology, type QueueTopology } from '../test/e2e/harness/queueTopology';
import { cacheDir, n8nInstallDir, nodeBinary, type N8nMajor } from '../test/e2e/harness/versions';

/** `npm run dev`: a local n8n in the foreground with the freshly packed package installed. */
async function main(): Promise<void> {
	const [majorArg, portArg, tarball, mode] = process.argv.slice(2);
	const major: N8nMajor = majorArg === '2' ? 2 : 1;
	const port = Number(portArg);
	if (mode === 'queue') return await queueMode(major, port, tarball);
	const userFolder = process.env.KLINK_DEV_USER_FOLDER ?? join(cacheDir, `dev-n8n${major}`);
	mkdirSync(userFolder, { recursive: true });
	await installPackage(userFolder, tarball);

	const env = n8nEnvironment(major, port, port + 1000, userFolder);
	if (major === 2) env.PATH = `${join(nodeBinary(2), '..')}:${env.PATH}`;
	const bin = join(n8nInstallDir(major), 'node_modules', 'n8n', 'bin', 'n8n');
	if (!existsSync(bin)) throw new Error(`n8n ${major}.x is not installed`);
	const child = spawn(nodeBinary(major), [bin, 'start'], { env, stdio: 'inherit' });
	const stop = () => child.kill('SIGTERM');
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	child.on('exit', (code) => process.exit(code ?? 0));

	const baseUrl = `http://127.0.0.1:${port}/`;
	// The login is printed only once it has been used: owner set up (or already there) and signed in with.
	try {
		await setUpOwner(baseUrl);
	} catch (error) {
		console.log(
			`\nn8n is running on ${baseUrl}, but this script could not sign in as ${OWNER.email}: ` +
				`${(error as Error).message.split('\n')[0].slice(0, 200)}\n` +
				`If you changed that owner's password, sign in with yours; to start over, stop n8n and delete ${userFolder}.\n`,
		);
		return;
	}
	console.log(`\nn8n with n8n-nodes-klink: ${baseUrl}  login ${OWNER.email} / ${OWNER.password}\n`);
}

/**
 * `N8N_QUEUE=1 npm run dev`: n8n in queue mode (PostgreSQL, Redis, main, 2 webhook processes, 2 workers,
 * nginx in front; see test/e2e/harness/queueTopology.ts), started fresh in a new temp folder, the n8n logs
 * shown here with the process's name, everything stopped and the folder removed on Ctrl-C or SIGTERM.
 */
async function queueMode(major: N8nMajor, basePort: number, tarball: string): Promise<void> {
	let topology: QueueTopology | undefined;
	let starting = true;
	let stopRequested = false;
	let stopTail: () => void = () => undefined;
	const stop = async () => {
		stopRequested = true;
		// A signal while the topology starts: stop it once it is up (a failed start cleans up after itself).
		if (starting) return console.log('\nstopping once the start-up has finished...');
		const running = topology;
		topology = undefined;
		if (!running) return;
		stopTail();
		console.log('\nstopping the queue-mode topology (nginx, n8n processes, Redis, PostgreSQL)...');
		await stopQueueTopology(running, { remove: true }).catch((error: unknown) => console.error(error));
		process.exit(0);
	};
	process.on('SIGINT', () => void stop());
	process.on('SIGTERM', () => void stop());

	const started = Date.now();
	try {
		const publicFront = process.env.KLINK_QUEUE_FRONT === 'round-robin' ? 'round-robin' : 'klink-pinned';
		topology = await startQueueTopology({ major, tarball, basePort, publicFront, log: (line) => console.log(`[queue] ${line}`) });
	} catch (error) {
		// startQueueTopology has stopped what it started.
		console.error(error);
		process.exit(1);
	}
	starting = false;
	if (stopRequested) return await stop();
	stopTail = tailLogs(topology);
	try {
		// Signed in through the front, as the user will.
		await logIn(topology.frontUrl, OWNER.email, OWNER.password);
	} catch (error) {
		console.error(`could not sign in through the front ${topology.frontUrl}: ${(error as Error).message}`);
		return await stop();
	}
	const logs = queueLogFiles(topology);
	console.log(
		`\nqueue mode up in ${Date.now() - started} ms: front (nginx, ${topology.publicFront} webhooks; the public ` +
			`webhook base) ${topology.frontUrl}, "klink pinned" front ${topology.pinnedFrontUrl}, round-robin front ` +
			`${topology.roundRobinFrontUrl}, main ${topology.mainUrl}, ` +
			`webhook processes ${topology.webhooks.map((p) => p.port).join(' and ')}, ` +
			`workers (health) ${topology.workers.map((p) => p.port).join(' and ')}, PostgreSQL ${topology.postgres.port}, ` +
			`Redis ${topology.redis.port}; logs in ${join(topology.dir, 'logs')} (nginx: ${logs.nginxAccess})`,
	);
	console.log(`\nn8n with n8n-nodes-klink: ${topology.frontUrl}  login ${OWNER.email} / ${OWNER.password}\n`);
}

/** Prints what the n8n processes append to their logs, each line prefixed with the process's name. */
function tailLogs(topology: QueueTopology): () => void {
	const offsets = new Map<string, number>();
	const processes = [topology.main, ...topology.webhooks, ...topology.workers];
	for (const p of processes) offsets.set(p.logFile, existsSync(p.logFile) ? statSync(p.logFile).size : 0);
	const timer = setInterval(() => {
		for (const p of processes) {
			if (!existsSync(p.logFile)) continue;
			const size = statSync(p.logFile).size;
			const offset = offsets.get(p.logFile) ?? 0;
			if (size <= offset) continue;
			const text = readFileSync(p.logFile).subarray(offset, size).toString('utf8');
			const complete = text.lastIndexOf('\n') + 1;
			if (complete === 0) continue;
			offsets.set(p.logFile, offset + Buffer.byteLength(text.slice(0, complete)));
			for (const line of text.slice(0, complete - 1).split('\n')) console.log(`[${p.name}] ${line}`);
		}
	}, 500);
	return () => clearInterval(timer);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
