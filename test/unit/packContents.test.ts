import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';

import { checkPackContents, unwantedReason } from './packContents';

/**
 * The tarball npm would publish, from the real `npm pack --dry-run` (no network, no lifecycle scripts) over the
 * repository's dist/, built here if it is missing. The rules themselves are a pure function, tested first.
 */
const root = join(__dirname, '..', '..');
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };
const n8nEntries = [...packageJson.n8n.nodes, ...packageJson.n8n.credentials];

function packedFiles(): string[] {
	const result = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', '--offline'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
	if (result.status !== 0) throw new Error(`npm pack --dry-run failed: ${result.stderr}`);
	const [pack] = JSON.parse(result.stdout) as Array<{ files: Array<{ path: string }> }>;
	return pack.files.map((file) => file.path);
}

describe('the published tarball', () => {
	const good = [
		'package.json',
		'README.md',
		'LICENSE.md',
		'CHANGELOG.md',
		'dist/nodes/Klink/Klink.node.js',
		'dist/nodes/Klink/Klink.node.d.ts',
		'dist/nodes/Klink/Klink.node.js.map',
		'dist/nodes/Klink/Klink.node.json',
		'dist/icons/klink.svg',
		'dist/credentials/KlinkSignatureApi.credentials.js',
	];
	const entries = ['dist/nodes/Klink/Klink.node.js', 'dist/credentials/KlinkSignatureApi.credentials.js'];

	it('accepts built files, icons, codex files and the top-level documents', () => {
		expect(checkPackContents(good, entries)).toEqual({ unwanted: [], missing: [] });
	});

	it.each([
		['dist/nodes/shared/events/dedupe.test.js', 'test file'],
		['dist/nodes/shared/events/dedupe.test.js.map', 'test file'],
		['dist/nodes/shared/events/dedupe.test.d.ts', 'test file'],
		['dist/test/helper.js', 'not under dist/nodes, dist/credentials or dist/icons'],
		['dist/nodes/Klink/__tests__/x.js', 'test folder'],
		['dist/nodes/KlinkTrigger/test/fixture.js', 'test folder'],
		['dist/tsconfig.build.tsbuildinfo', 'not under dist/nodes, dist/credentials or dist/icons'],
		['dist/nodes/x.tsbuildinfo', 'tsbuildinfo'],
		['dist/nodes/Klink/Klink.node.ts', 'TypeScript source'],
		['dist/nodes/Klink/data.json', 'not a built file'],
		['dist/icons/readme.txt', 'not an icon'],
		['nodes/Klink/Klink.node.ts', 'outside dist/'],
		['test/unit/packContents.test.ts', 'outside dist/'],
		['jest.config.js', 'outside dist/'],
	])('flags %s (%s)', (path, reason) => {
		expect(unwantedReason(path)).toBe(reason);
		expect(checkPackContents([...good, path], entries).unwanted).toEqual([{ path, reason }]);
	});

	it('names required files that are missing', () => {
		const without = good.filter((path) => path !== 'LICENSE.md' && path !== 'dist/nodes/Klink/Klink.node.js');
		expect(checkPackContents(without, entries).missing).toEqual(['LICENSE.md', 'dist/nodes/Klink/Klink.node.js']);
	});

	describe('as npm packs it', () => {
		beforeAll(() => {
			if (n8nEntries.every((entry) => existsSync(join(root, entry)))) return;
			const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, encoding: 'utf8', timeout: 150_000 });
			if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr || build.error}`);
		}, 180_000);

		it('holds only the built package and its documents', () => {
			expect(checkPackContents(packedFiles(), n8nEntries)).toEqual({ unwanted: [], missing: [] });
		});

		it('would flag a test helper that landed in dist/, which `files` ships', () => {
			const stray = join(root, 'dist', 'test', `pack-check-${process.pid}`, 'helper.js');
			mkdirSync(dirname(stray), { recursive: true });
			try {
				writeFileSync(stray, 'module.exports = {};\n');
				const packed = packedFiles();
				const path = `dist/test/pack-check-${process.pid}/helper.js`;
				expect(packed).toContain(path);
				expect(checkPackContents(packed, n8nEntries).unwanted).toEqual([{ path, reason: 'not under dist/nodes, dist/credentials or dist/icons' }]);
			} finally {
				rmSync(dirname(stray), { recursive: true, force: true });
				const testDir = join(root, 'dist', 'test');
				if (readdirSync(testDir).length === 0) rmdirSync(testDir);
			}
		});
	});
});
