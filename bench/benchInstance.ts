import { spawnSync } from 'child_process';
import { join } from 'path';

import { installPackage, newUserFolder, setUpOwner, startN8n, stopN8n } from '../test/e2e/harness/n8nInstance';
import { repoRoot, type N8nMajor } from '../test/e2e/harness/versions';

/** A fresh n8n for one benchmark, with this package and the benchmark's floor trigger installed. */
export async function startBenchInstance(major: N8nMajor, port: number, extraEnv: Record<string, string> = {}) {
	const tarball = process.env.KLINK_PACKAGE_TARBALL;
	if (!tarball) throw new Error('KLINK_PACKAGE_TARBALL is not set: run benchmarks through `npm run bench`');
	const userFolder = newUserFolder(`bench-n8n${major}`);
	installPackage(userFolder, tarball);
	installPackage(userFolder, packFloorTrigger(userFolder));
	const child = await startN8n({ major, port, brokerPort: port + 1000, userFolder, logFile: join(userFolder, 'n8n.log'), extraEnv });
	const baseUrl = `http://127.0.0.1:${port}/`;
	const { apiKey } = await setUpOwner(baseUrl);
	return {
		target: { baseUrl, apiKey, major },
		stop: () => stopN8n(child),
	};
}

function packFloorTrigger(into: string): string {
	const dir = join(repoRoot, 'test', 'fixtures', 'bench-floor-trigger');
	const result = spawnSync('npm', ['pack', '--silent', '--pack-destination', into, dir], { encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`packing the floor trigger failed: ${result.stderr}`);
	return join(into, result.stdout.trim().split('\n').pop() as string);
}
