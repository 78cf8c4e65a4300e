import { createServer } from 'http';
import type { AddressInfo } from 'net';

import { CredentialTestContext } from 'n8n-core';
import type { ICredentialType, ICredentialsDecrypted } from 'n8n-workflow';

import { TestCredentialsHelper } from '../../../../test/engine/harness/credentialsHelper';
import { EngineNodeTypes } from '../../../../test/engine/harness/nodeTypes';
import { additionalDataFor } from '../../../../test/engine/harness/runWorkflow';
import { KlinkCustomChannelApi } from '../../../../credentials/KlinkCustomChannelApi.credentials';
import { Klink } from '../../Klink.node';
import { klinkCustomChannelApiTest } from './credentialTest';

const SECRET = '0c1d2e3f4a5b6c7d8e9f';
const GOOD = `https://me.klink.cloud/custom-channel/${SECRET}/9f8e7d6c5b4a3f2e1d0c/webhook`;

function credential(inboundUrl: unknown): ICredentialsDecrypted {
	return { id: '1', name: 'Klink Custom Channel', type: 'klinkCustomChannelApi', data: { inboundUrl } as never };
}

/**
 * n8n-core's own context for credential tests, as n8n builds it when the user clicks "Test" (its helpers
 * could send requests; the test below shows none is sent).
 */
const context = new CredentialTestContext(additionalDataFor(undefined, new TestCredentialsHelper({}, new EngineNodeTypes()), { executionId: '' }));

async function test(inboundUrl: unknown) {
	return await klinkCustomChannelApiTest.call(context, credential(inboundUrl));
}

describe('credential test of Klink Custom Channel API', () => {
	it('passes a well-formed URL and says nothing was sent, without repeating the secret', async () => {
		const result = await test(GOOD);
		expect(result.status).toBe('OK');
		expect(result.message).toContain('https://me.klink.cloud/custom-channel/***');
		expect(result.message).toContain('nothing was sent');
		expect(result.message).not.toContain(SECRET);
	});

	it('passes an unusual https path with a note', async () => {
		const result = await test('https://inbox.example.com/hooks/abcdefabcdef0123');
		expect(result.status).toBe('OK');
		expect(result.message).toContain('usual shape');
		expect(result.message).not.toContain('abcdefabcdef0123');
	});

	it.each([
		['missing', undefined],
		['plain http to a remote host', GOOD.replace('https:', 'http:')],
		['garbage', `custom-channel ${SECRET}`],
	])('fails a URL that is %s, without repeating the secret', async (_label, value) => {
		const result = await test(value);
		expect(result.status).toBe('Error');
		expect(result.message).not.toContain(SECRET);
	});

	it('really sends nothing, even to a URL that would answer', async () => {
		let requests = 0;
		const server = createServer((_req, res) => {
			requests += 1;
			res.end('{}');
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const { port } = server.address() as AddressInfo;
		const result = await test(`http://127.0.0.1:${port}/custom-channel/${SECRET}/x/webhook`);
		await new Promise<void>((resolve) => server.close(() => resolve()));
		expect(result.status).toBe('OK');
		expect(requests).toBe(0);
	});
});

describe('KlinkCustomChannelApi credential', () => {
	const type: ICredentialType = new KlinkCustomChannelApi();

	it('has the public name, a masked inboundUrl field and a notice about the local test', () => {
		expect(type.name).toBe('klinkCustomChannelApi');
		expect(type.displayName).toBe('Klink Custom Channel API');
		expect(type.documentationUrl).toBe('https://www.npmjs.com/package/n8n-nodes-klink#klink-node');
		const url = type.properties.find((property) => property.name === 'inboundUrl');
		expect(url).toMatchObject({ type: 'string', required: true, default: '', typeOptions: { password: true } });
		const notices = type.properties.filter((property) => property.type === 'notice').map((p) => p.displayName);
		expect(notices.join(' ')).toContain('nothing is sent to klink.cloud');
		expect(type.test).toBeUndefined();
		expect(type.authenticate).toBeUndefined();
	});

	it('is tested by the Klink node through a credentialTest method that exists', () => {
		const v1 = new Klink().nodeVersions[1];
		const entry = v1.description.credentials?.find((c) => c.name === type.name);
		expect(entry).toMatchObject({ required: true, testedBy: 'klinkCustomChannelApiTest' });
		expect(v1.methods?.credentialTest?.[entry!.testedBy as string]).toBe(klinkCustomChannelApiTest);
	});
});
