import { readFileSync } from 'fs';
import { join } from 'path';

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
const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
const PACKAGE_PAGE = 'https://www.npmjs.com/package/n8n-nodes-klink';

/** GitHub/npm heading anchors: lower case, spaces to dashes, punctuation dropped. */
function readmeAnchors(): Set<string> {
	const anchors = new Set<string>();
	for (const line of README.split('\n')) {
		const heading = /^#{1,6}\s+(.*)$/.exec(line);
		if (heading) anchors.add(heading[1].trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-'));
	}
	for (const match of README.matchAll(/<a id="([^"]+)"><\/a>/g)) anchors.add(match[1]);
	return anchors;
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
});
