import { join } from 'path';

import { currentMajor, queueMode, writeState } from './harness/e2eState';
import { installPackage, newUserFolder, setUpOwner, startN8n } from './harness/n8nInstance';
import { startQueueTopology } from './harness/queueTopology';
import { n8nVersion } from './harness/versions';

/**
 * One n8n per run (the major comes from N8N_MAJOR), with the packed package installed like a user does.
 * KLINK_E2E_QUEUE=1: n8n in queue mode instead (PostgreSQL, Redis, main, 2 webhook processes, 2 workers,
 * nginx in front), on ports from KLINK_E2E_PORT (the front) to that + 8 and their + 1000.
 */
export default async function globalSetup(): Promise<void> {
	const major = currentMajor();
	const tarball = process.env.KLINK_PACKAGE_TARBALL;
	if (!tarball) throw new Error('KLINK_PACKAGE_TARBALL is not set: run the e2e suite through `npm test`');
	if (queueMode()) return await queueSetup(major, tarball);
	const userFolder = newUserFolder(`e2e-n8n${major}`);
	await installPackage(userFolder, tarball);
	const port = Number(process.env.KLINK_E2E_PORT ?? (major === 1 ? 5701 : 5702));
	const brokerPort = port + 1000;
	const logFile = join(userFolder, 'n8n.log');
	const started = Date.now();
	const child = await startN8n({ major, port, brokerPort, userFolder, logFile });
	const baseUrl = `http://127.0.0.1:${port}/`;
	const { apiKey, cookie } = await setUpOwner(baseUrl);
	writeState({ major, port, brokerPort, baseUrl, userFolder, logFile, apiKey, cookie, pid: child.pid ?? 0 });
	console.log(`\nn8n ${n8nVersion(major)} up on ${baseUrl} in ${Date.now() - started} ms (log: ${logFile})`);
}

async function queueSetup(major: 1 | 2, tarball: string): Promise<void> {
	const basePort = Number(process.env.KLINK_E2E_PORT ?? (major === 1 ? 5710 : 5720));
	const started = Date.now();
	// KLINK_E2E_QUEUE_FRONT=round-robin: the public webhook base balances between the webhook processes instead
	// of the README's "klink pinned" recipe (webhook process 1, process 2 as backup).
	const publicFront = process.env.KLINK_E2E_QUEUE_FRONT === 'round-robin' ? 'round-robin' : 'klink-pinned';
	const queue = await startQueueTopology({ major, tarball, basePort, publicFront, log: (line) => console.log(`[queue] ${line}`) });
	const { main } = queue;
	writeState({
		major,
		port: main.port,
		brokerPort: main.brokerPort,
		baseUrl: queue.mainUrl,
		webhookBaseUrl: queue.frontUrl,
		userFolder: main.userFolder,
		logFile: main.logFile,
		apiKey: queue.apiKey,
		cookie: queue.cookie,
		pid: main.pid,
		queue,
	});
	console.log(`\nn8n ${n8nVersion(major)} in queue mode up in ${Date.now() - started} ms: front ${queue.frontUrl} (${publicFront}), main ${queue.mainUrl} (logs: ${queue.dir}/logs)`);
}
