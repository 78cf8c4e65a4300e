import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, relative } from 'path';

import { KlinkBasicAuthApi } from '../../credentials/KlinkBasicAuthApi.credentials';
import { KlinkCustomChannelApi } from '../../credentials/KlinkCustomChannelApi.credentials';
import { KlinkHeaderAuthApi } from '../../credentials/KlinkHeaderAuthApi.credentials';
import { KlinkSignatureApi } from '../../credentials/KlinkSignatureApi.credentials';
import { Klink } from '../../nodes/Klink/Klink.node';
import { KlinkTrigger } from '../../nodes/KlinkTrigger/KlinkTrigger.node';

/**
 * n8n's editor opens a node's `documentationUrl` as it is when it is a full http(s) URL, but builds the link
 * from the codex as `<url>?utm_source=…`, which breaks an anchor. Credentials' URLs outside docs.n8n.io are
 * used as they are. Every anchor must be a heading of README.md (npm's page of the package).
 */
const ROOT = join(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const PACKAGE_PAGE = 'https://www.npmjs.com/package/n8n-nodes-klink';

/** The text outside fenced code blocks, line by line (a `#` comment in a code block is no heading). */
function proseLines(markdown: string): string[] {
	let fenced = false;
	return markdown.split('\n').map((line) => {
		if (/^\s*```/.test(line)) {
			fenced = !fenced;
			return '';
		}
		return fenced ? '' : line;
	});
}

/**
 * GitHub/npm heading anchors: lower case, spaces to dashes, punctuation dropped (letters, digits, `-` and `_`
 * kept), a repeated heading numbered `-1`, `-2`…; plus `<a id="…"></a>` anchors.
 */
function markdownAnchors(markdown: string): Set<string> {
	const anchors = new Set<string>();
	const seen = new Map<string, number>();
	for (const line of proseLines(markdown)) {
		const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
		if (!heading) continue;
		const base = heading[1].toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
		const count = seen.get(base) ?? 0;
		seen.set(base, count + 1);
		anchors.add(count === 0 ? base : `${base}-${count}`);
	}
	for (const match of markdown.matchAll(/<a id="([^"]+)"><\/a>/g)) anchors.add(match[1]);
	return anchors;
}

function readmeAnchors(): Set<string> {
	return markdownAnchors(README);
}

/** Inline links `[text](target)` outside code blocks and code spans, with their line numbers. */
function markdownLinks(markdown: string): Array<{ target: string; line: number }> {
	const links: Array<{ target: string; line: number }> = [];
	proseLines(markdown).forEach((text, index) => {
		const withoutCode = text.replace(/`[^`]*`/g, '');
		for (const match of withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) links.push({ target: match[1], line: index + 1 });
	});
	return links;
}

/** README.md, CHANGELOG.md and every markdown file under docs/. */
function documentationFiles(): string[] {
	const files = ['README.md', 'CHANGELOG.md'].map((name) => join(ROOT, name));
	const walk = (dir: string) => {
		for (const name of readdirSync(dir)) {
			const path = join(dir, name);
			if (statSync(path).isDirectory()) walk(path);
			else if (name.endsWith('.md')) files.push(path);
		}
	};
	walk(join(ROOT, 'docs'));
	return files;
}

/** What is wrong with a relative link from `file`, or undefined when it resolves (file, and heading if any). */
function brokenLink(file: string, target: string): string | undefined {
	const [pathPart, anchor] = target.split('#') as [string, string | undefined];
	const resolved = pathPart === '' ? file : join(dirname(file), decodeURIComponent(pathPart));
	if (!existsSync(resolved)) return `no file ${relative(ROOT, resolved)}`;
	if (anchor === undefined || anchor === '') return undefined;
	if (!resolved.endsWith('.md')) return `anchor #${anchor} on a file that is not markdown`;
	return markdownAnchors(readFileSync(resolved, 'utf8')).has(anchor) ? undefined : `no heading #${anchor} in ${relative(ROOT, resolved)}`;
}

function expectPackageLink(url: string | undefined) {
	expect(url).toMatch(new RegExp(`^${PACKAGE_PAGE.replace(/[.]/g, '\\.')}(#[a-z0-9-]+)?$`));
	const anchor = url?.split('#')[1];
	if (anchor !== undefined) expect({ url, inReadme: readmeAnchors().has(anchor) }).toEqual({ url, inReadme: true });
}

describe('documentation links', () => {
	it('nodes link to their README section through documentationUrl, which n8n opens as it is', () => {
		const trigger = new KlinkTrigger().description;
		const klink = new Klink().nodeVersions[1].description;
		expect(trigger.documentationUrl).toBe(`${PACKAGE_PAGE}#klink-trigger`);
		expect(klink.documentationUrl).toBe(`${PACKAGE_PAGE}#klink-node`);
		expectPackageLink(trigger.documentationUrl);
		expectPackageLink(klink.documentationUrl);
	});

	it('codex links carry no anchor, since n8n appends its tracking query to them', () => {
		for (const file of ['nodes/KlinkTrigger/KlinkTrigger.node.json', 'nodes/Klink/Klink.node.json']) {
			const codex = JSON.parse(readFileSync(join(__dirname, '..', '..', file), 'utf8')) as {
				resources: Record<string, Array<{ url: string }>>;
			};
			const urls = Object.values(codex.resources).flat().map((resource) => resource.url);
			expect(urls.length).toBeGreaterThan(0);
			for (const url of urls) expect({ file, url }).toEqual({ file, url: PACKAGE_PAGE });
		}
	});

	it('every credential links to the README section that explains it', () => {
		const links = [new KlinkSignatureApi(), new KlinkHeaderAuthApi(), new KlinkBasicAuthApi(), new KlinkCustomChannelApi()].map((c) => c.documentationUrl);
		for (const url of links) expectPackageLink(url);
		expect(links.every((url) => url.includes('#'))).toBe(true);
	});

	it('every relative link in README.md, CHANGELOG.md and docs/ reaches a file, and its anchor a heading', () => {
		const files = documentationFiles();
		expect(files.map((file) => relative(ROOT, file))).toEqual(expect.arrayContaining(['README.md', 'docs/reliability.md', 'docs/results/benchmarks.md']));
		const broken: string[] = [];
		let checked = 0;
		for (const file of files) {
			for (const { target, line } of markdownLinks(readFileSync(file, 'utf8'))) {
				if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
				checked++;
				const problem = brokenLink(file, target);
				if (problem) broken.push(`${relative(ROOT, file)}:${line} (${target}): ${problem}`);
			}
		}
		expect(broken).toEqual([]);
		expect(checked).toBeGreaterThan(40);
	});

	it('reads anchors and links the way GitHub and npm render them', () => {
		const page = ['# Klink Trigger', '## n8n 2.x settings: the `fastest`!', '## Notes', '## Notes', '```sh', '# not a heading', 'see [x](in-code.md)', '```', '<a id="secrets"></a>Secrets'].join('\n');
		expect([...markdownAnchors(page)]).toEqual(['klink-trigger', 'n8n-2x-settings-the-fastest', 'notes', 'notes-1', 'secrets']);
		expect(markdownLinks('a [b](docs/x.md#y) `[c](not-a-link.md)` [d](https://e.example "title")\n```\n[f](g.md)\n```')).toEqual([
			{ target: 'docs/x.md#y', line: 1 },
			{ target: 'https://e.example', line: 1 },
		]);
	});

	it('a broken relative link or anchor is reported', () => {
		const readme = join(ROOT, 'README.md');
		expect(brokenLink(readme, 'docs/nowhere.md')).toBe('no file docs/nowhere.md');
		expect(brokenLink(readme, 'docs/reliability.md#no-such-heading')).toBe('no heading #no-such-heading in docs/reliability.md');
		expect(brokenLink(readme, '#klink-trigger')).toBeUndefined();
		expect(brokenLink(join(ROOT, 'docs', 'queue-mode.md'), '../README.md#queue-mode')).toBeUndefined();
	});
});
