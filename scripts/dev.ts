import { spawn } from 'child_process';
import { existsSync, mkdirSync } from 'fs';
import { join } from 'path';

import { installPackage, n8nEnvironment, OWNER, setUpOwner } from '../test/e2e/harness/n8nInstance';
import { cacheDir, n8nInstallDir, nodeBinary, type N8nMajor } from '../test/e2e/harness/versions';

/** `npm run dev`: a local n8n in the foreground with the freshly packed package installed. */
async function main(): Promise<void> {
	const [majorArg, portArg, tarball] = process.argv.slice(2);
	const major: N8nMajor = majorArg === '2' ? 2 : 1;
	const port = Number(portArg);
	const userFolder = process.env.KLINK_DEV_USER_FOLDER ?? join(cacheDir, `dev-n8n${major}`);
	mkdirSync(userFolder, { recursive: true });
	installPackage(userFolder, tarball);

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

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
