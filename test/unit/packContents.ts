/**
 * What the published tarball may hold: the built package under dist/ (JavaScript, declarations, source maps of
 * package code, icons, the nodes' codex `.node.json`), package.json, README.md, LICENSE.md and CHANGELOG.md.
 * Nothing from the tests: no test files, test sources or their maps, no tsbuildinfo, nothing outside
 * dist/nodes, dist/credentials and dist/icons. A pure function over the file list `npm pack` reports.
 */
export const TOP_LEVEL_FILES = ['package.json', 'README.md', 'LICENSE.md', 'CHANGELOG.md'];
/** Top-level files the tarball must hold (npm adds the first three whatever `files` says; `files` names the changelog). */
export const REQUIRED_TOP_LEVEL = ['package.json', 'README.md', 'LICENSE.md', 'CHANGELOG.md'];
const DIST_ROOTS = ['dist/nodes/', 'dist/credentials/', 'dist/icons/'];

/** Why a packed file does not belong in the tarball, or undefined when it does. */
export function unwantedReason(path: string): string | undefined {
	if (TOP_LEVEL_FILES.includes(path)) return undefined;
	if (!path.startsWith('dist/')) return 'outside dist/';
	if (!DIST_ROOTS.some((root) => path.startsWith(root))) return 'not under dist/nodes, dist/credentials or dist/icons';
	const segments = path.split('/');
	if (segments.some((segment) => ['test', 'tests', '__tests__', '__mocks__', 'fixtures', 'harness'].includes(segment))) return 'test folder';
	const name = segments[segments.length - 1];
	if (/\.(test|spec|e2e)\./.test(name)) return 'test file';
	if (name.endsWith('.tsbuildinfo')) return 'tsbuildinfo';
	if (/\.ts$/.test(name) && !name.endsWith('.d.ts')) return 'TypeScript source';
	if (path.startsWith('dist/icons/')) return /\.(svg|png)$/.test(name) ? undefined : 'not an icon';
	if (/\.(js|d\.ts|js\.map|d\.ts\.map|svg|png)$/.test(name)) return undefined;
	if (name.endsWith('.node.json') && path.startsWith('dist/nodes/')) return undefined;
	return 'not a built file';
}

export interface PackCheck {
	/** Files that should not ship, with the reason. */
	unwanted: Array<{ path: string; reason: string }>;
	/** Files that must ship and are missing: the four top-level files and the n8n entry points. */
	missing: string[];
}

/** Checks a tarball's file list against the rules above and package.json's `n8n` node and credential lists. */
export function checkPackContents(paths: string[], n8nEntries: string[]): PackCheck {
	const unwanted = paths.flatMap((path) => {
		const reason = unwantedReason(path);
		return reason ? [{ path, reason }] : [];
	});
	const missing = [...REQUIRED_TOP_LEVEL, ...n8nEntries].filter((path) => !paths.includes(path));
	return { unwanted, missing };
}
