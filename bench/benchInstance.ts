import { spawnSync } from 'child_process';
import { join } from 'path';

import { installPackage, newUserFolder, setUpOwner, startN8n, stopN8n } from '../test/e2e/harness/n8nInstance';
import { repoRoot, type N8nMajor } from '../test/e2e/harness/versions';

/**
 * The port a benchmark's n8n listens on: its default plus `BENCH_PORT_OFFSET` (0 unless set), so that two
 * checkouts on one machine can run benchmarks side by side. n8n's task broker takes the port + 1000.
 */
export function benchPort(defaultPort: number): number {
	const offset = Number(process.env.BENCH_PORT_OFFSET ?? 0);
	if (!Number.isInteger(offset)) throw new Error(`BENCH_PORT_OFFSET must be an integer, got ${process.env.BENCH_PORT_OFFSET}`);
	return defaultPort + offset;
}

/**
 * n8n's expression engine settings a variant stands for: `pool<N>` (N8N_EXPRESSION_ENGINE_POOL_SIZE), `lazy`
 * (N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: an isolate only once an expression needs one), `legacy` (no isolate).
 */
export function engineVariant(variant: string): { extraEnv: Record<string, string>; portSlot: number } {
	const pool = /^pool(\d+)$/.exec(variant);
	if (pool) return { extraEnv: { N8N_EXPRESSION_ENGINE_POOL_SIZE: pool[1] }, portSlot: 1 };
	if (variant === 'legacy') return { extraEnv: { N8N_EXPRESSION_ENGINE: 'legacy' }, portSlot: 2 };
	if (variant === 'lazy') return { extraEnv: { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' }, portSlot: 3 };
	if (variant === 'defaults') return { extraEnv: {}, portSlot: 0 };
	throw new Error(`unknown variant "${variant}": defaults, pool<N>, lazy or legacy`);
}

/**
 * A fresh n8n for one benchmark, with this package and the benchmark's floor trigger installed. With
 * `BENCH_CPU_PROF_DIR` set, n8n runs under `--cpu-prof` and writes a V8 CPU profile there when it stops.
 */
export async function startBenchInstance(major: N8nMajor, port: number, extraEnv: Record<string, string> = {}) {
	const profileDir = process.env.BENCH_CPU_PROF_DIR;
	const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
	const tarball = process.env.KLINK_PACKAGE_TARBALL;
	if (!tarball) throw new Error('KLINK_PACKAGE_TARBALL is not set: run benchmarks through `npm run bench`');
	const userFolder = newUserFolder(`bench-n8n${major}`);
	installPackage(userFolder, tarball);
	installPackage(userFolder, packFloorTrigger(userFolder));
	const child = await startN8n({ major, port, brokerPort: port + 1000, userFolder, logFile: join(userFolder, 'n8n.log'), extraEnv, nodeArgs });
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
