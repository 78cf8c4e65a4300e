import { readFileSync } from 'fs';
import { join } from 'path';

/**
 * The release path: .github/workflows/publish.yml publishes from a version tag only after the same test
 * command CI runs (.ci/run: `npm test` from an empty cache folder), and publishes with npm provenance, as n8n
 * asks of verified community nodes. Read as text: the workflow's layout is fixed by this test.
 */
const root = join(__dirname, '..', '..');
const workflow = readFileSync(join(root, '.github', 'workflows', 'publish.yml'), 'utf8');
const ciRun = readFileSync(join(root, '.ci', 'run'), 'utf8');

interface Step {
	name?: string;
	uses?: string;
	run?: string;
	env: Record<string, string>;
}

/** The job's steps: each `      - ` item with its name, uses, run (one line or a `|` block) and env. */
function steps(text: string): Step[] {
	const body = text.slice(text.indexOf('\n    steps:\n') + '\n    steps:\n'.length);
	return body
		.split(/\n(?= {6}- )/)
		.filter((chunk) => chunk.startsWith('      - '))
		.map((chunk) => {
			const lines = chunk.replace(/^ {6}- /, '        ').split('\n');
			const step: Step = { env: {} };
			for (let i = 0; i < lines.length; i++) {
				const field = /^ {8}(name|uses|run): ?(.*)$/.exec(lines[i]);
				if (field && field[1] === 'run' && field[2] === '|') {
					const block: string[] = [];
					while (i + 1 < lines.length && /^ {10}/.test(lines[i + 1])) block.push(lines[++i].slice(10));
					step.run = block.join('\n');
				} else if (field) {
					step[field[1] as 'name' | 'uses' | 'run'] = field[2].trim();
				}
				const env = /^ {10}([A-Z_]+): (.*)$/.exec(lines[i]);
				if (env && lines.slice(0, i).some((line) => line === '        env:')) step.env[env[1]] = env[2].trim();
			}
			return step;
		});
}

describe('publish workflow', () => {
	const all = steps(workflow);
	const runs = all.filter((step) => step.run !== undefined);
	const testIndex = all.findIndex((step) => step.run === 'bash .ci/run');
	const publishIndex = all.findIndex((step) => step.run?.startsWith('npm publish'));

	it('runs on version tags only', () => {
		expect(workflow).toMatch(/^on:\n {2}push:\n {4}tags:\n {6}- 'v\*'\n\n/m);
	});

	it("tests with exactly .ci/run's command, which is `npm test` from an empty cache folder", () => {
		expect(testIndex).toBeGreaterThanOrEqual(0);
		// .ci/run: a new, empty KLINK_CACHE_DIR, removed afterwards, then `npm test` (lint, typecheck, all suites).
		expect(ciRun).toMatch(/^KLINK_CACHE_DIR=\$\(mktemp -d /m);
		expect(ciRun).toMatch(/^export KLINK_CACHE_DIR$/m);
		expect(ciRun.trim().split('\n').pop()).toBe('npm test');
		expect(ciRun).toMatch(/^set -euo pipefail$/m);
		// No other step runs tests its own way.
		expect(runs.filter((step) => /npm (run )?test|jest|\.ci\/run/.test(step.run ?? ''))).toEqual([all[testIndex]]);
	});

	it('publishes with provenance and public access, with NPM_TOKEN and an OIDC token, only after the tests', () => {
		expect(publishIndex).toBeGreaterThan(testIndex);
		expect(all[publishIndex].run).toBe('npm publish --provenance --access public');
		expect(all[publishIndex].env).toEqual({ NODE_AUTH_TOKEN: '${{ secrets.NPM_TOKEN }}' });
		expect(workflow).toMatch(/^permissions:\n {2}contents: read\n {2}id-token: write\n/m);
		const setupNode = all.find((step) => step.uses?.startsWith('actions/setup-node@'));
		expect(setupNode).toBeDefined();
		expect(workflow).toMatch(/registry-url: https:\/\/registry\.npmjs\.org\n/);
		// .npmrc sets ignore-scripts=true, so `npm publish` would not run prepack: the build is a step of its own.
		const buildIndex = all.findIndex((step) => step.run === 'npm run build');
		expect(buildIndex).toBeGreaterThan(testIndex);
		expect(buildIndex).toBeLessThan(publishIndex);
	});

	it('refuses a tag that is not package.json\'s version', () => {
		const check = all.find((step) => step.run?.includes('GITHUB_REF_NAME'));
		expect(check?.run).toContain(`require('./package.json').version`);
		expect(all.indexOf(check as Step)).toBeLessThan(publishIndex);
	});
});
