import { join } from 'path';

import { currentMajor, writeState } from './harness/e2eState';
import { installPackage, newUserFolder, setUpOwner, startN8n } from './harness/n8nInstance';
import { n8nVersion } from './harness/versions';

/** One n8n per run (the major comes from N8N_MAJOR), with the packed package installed like a user does. */
export default async function globalSetup(): Promise<void> {
	const major = currentMajor();
	const tarball = process.env.KLINK_PACKAGE_TARBALL;
	if (!tarball) throw new Error('KLINK_PACKAGE_TARBALL is not set: run the e2e suite through `npm test`');
	const userFolder = newUserFolder(`e2e-n8n${major}`);
	installPackage(userFolder, tarball);
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
