import { existsSync, readFileSync } from 'fs';
import { homedir } from 'os';
import { dirname, join } from 'path';

/** The repository root, whether this runs from source (jest) or compiled into build-tools/. */
export const repoRoot = (() => {
	let dir = __dirname;
	while (!existsSync(join(dir, 'test', 'e2e', 'setup', 'versions.sh'))) {
		const parent = dirname(dir);
		if (parent === dir) throw new Error(`no test/e2e/setup/versions.sh above ${__dirname}`);
		dir = parent;
	}
	return dir;
})();

/** Reads the pinned versions from setup/versions.sh, so shell and TypeScript share one source. */
function readVersions(): Record<string, string> {
	const text = readFileSync(join(repoRoot, 'test', 'e2e', 'setup', 'versions.sh'), 'utf8');
	const values: Record<string, string> = {};
	for (const match of text.matchAll(/^([A-Z0-9_]+)=([^\s$]+)\s*$/gm)) values[match[1]] = match[2];
	return values;
}

const versions = readVersions();

export type N8nMajor = 1 | 2;

export const cacheDir = process.env.KLINK_CACHE_DIR ?? join(homedir(), '.cache', 'n8n-nodes-klink');

export function n8nVersion(major: N8nMajor): string {
	return major === 1 ? versions.N8N_V1_VERSION : versions.N8N_V2_VERSION;
}

export function n8nInstallDir(major: N8nMajor): string {
	return join(cacheDir, `n8n-${n8nVersion(major)}`);
}

/** n8n 1.x runs on the machine's Node; 2.x on the Node 24 from the npm registry's `node` package. */
export function nodeBinary(major: N8nMajor): string {
	if (major === 1) return process.execPath;
	return join(cacheDir, `node-${versions.NODE24_VERSION}`, 'node_modules', 'node', 'bin', 'node');
}
