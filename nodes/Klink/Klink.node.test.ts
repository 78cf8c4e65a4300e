import { existsSync, readFileSync } from 'fs';
import { join } from 'path';

import { VersionedNodeType, type INodeProperties, type INodeTypeDescription } from 'n8n-workflow';

import { SEND_OPTION_LIMITS } from '../shared/customChannel/sendOptions';
import { Klink } from './Klink.node';

const node = new Klink();
const v1 = node.nodeVersions[1];
const description = v1.description as INodeTypeDescription;

function property(name: string): INodeProperties {
	const found = description.properties.find((p) => p.name === name);
	if (!found) throw new Error(`no parameter ${name}`);
	return found;
}

describe('Klink node type', () => {
	it('is a versioned node whose default and only version is 1', () => {
		expect(node).toBeInstanceOf(VersionedNodeType);
		expect(node.description).toMatchObject({ name: 'klink', displayName: 'Klink', defaultVersion: 1 });
		expect(node.currentVersion).toBe(1);
		expect(Object.keys(node.nodeVersions)).toEqual(['1']);
		expect(node.getNodeType()).toBe(v1);
	});

	it('version 1 is a regular action node usable as an AI tool, with the Custom Channel credential', () => {
		expect(description).toMatchObject({
			name: 'klink',
			displayName: 'Klink',
			version: 1,
			defaultVersion: 1,
			usableAsTool: true,
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'klinkCustomChannelApi', required: true, testedBy: 'klinkCustomChannelApiTest' }],
		});
		expect(typeof v1.execute).toBe('function');
	});

	it('points at icon files that exist, relative to Klink.node.ts as n8n resolves them', () => {
		for (const icon of [node.description.icon, description.icon]) {
			expect(icon).toEqual({ light: 'file:../../icons/klink.svg', dark: 'file:../../icons/klink.dark.svg' });
			for (const path of Object.values(icon as Record<string, string>)) {
				const file = join(__dirname, path.replace(/^file:/, ''));
				expect(existsSync(file)).toBe(true);
				expect(readFileSync(file, 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
			}
		}
	});

	it('has a codex file n8n can read', () => {
		const codex = JSON.parse(readFileSync(join(__dirname, 'Klink.node.json'), 'utf8'));
		expect(codex).toMatchObject({
			node: 'n8n-nodes-klink.klink',
			nodeVersion: '1.0',
			codexVersion: '1.0',
			categories: ['Communication'],
			resources: { primaryDocumentation: [{ url: 'https://www.npmjs.com/package/n8n-nodes-klink' }] },
		});
	});
});

describe('Klink v1 parameters (public interface: names, types and defaults must not change)', () => {
	it('offers Message > Send', () => {
		expect(property('resource')).toMatchObject({ type: 'options', default: 'message', noDataExpression: true });
		expect(property('resource').options).toEqual([{ name: 'Message', value: 'message' }]);
		expect(property('operation')).toMatchObject({ type: 'options', default: 'send', noDataExpression: true });
		expect(property('operation').options).toEqual([
			expect.objectContaining({ name: 'Send', value: 'send', action: 'Post a message as the customer' }),
		]);
	});

	it.each([
		['content', 'string', '', true],
		['senderId', 'string', '', true],
		['senderName', 'string', '', true],
		['conversationId', 'string', '', undefined],
		['messageType', 'options', 'text', undefined],
		['messageId', 'string', '', undefined],
		['timestamp', 'string', '', undefined],
	])('%s: %s, default %j, required %s', (name, type, defaultValue, required) => {
		const p = property(name);
		expect(p).toMatchObject({ type, default: defaultValue });
		expect(p.required).toBe(required);
		expect(p.displayOptions).toEqual({ show: { resource: ['message'], operation: ['send'] } });
		expect(typeof p.description).toBe('string');
		expect((p.description as string).length).toBeGreaterThan(20);
	});

	it('messageType offers text only for now, with a notice', () => {
		expect(property('messageType').options).toEqual([expect.objectContaining({ name: 'Text', value: 'text' })]);
		expect(property('messageTypeNotice')).toMatchObject({ type: 'notice' });
	});

	it('options: concurrency, maxRetries, maxRetryDelay, retryDelay and timeout, sorted, with the shared defaults', () => {
		const options = property('options');
		expect(options).toMatchObject({ type: 'collection', default: {} });
		const items = options.options as INodeProperties[];
		expect(items.map((o) => o.displayName)).toEqual([...items.map((o) => o.displayName)].sort());
		expect(Object.fromEntries(items.map((o) => [o.name, o.default]))).toEqual({
			concurrency: SEND_OPTION_LIMITS.concurrency.default,
			maxRetries: SEND_OPTION_LIMITS.maxRetries.default,
			maxRetryDelay: SEND_OPTION_LIMITS.maxRetryDelay.default,
			retryDelay: SEND_OPTION_LIMITS.retryDelay.default,
			timeout: SEND_OPTION_LIMITS.timeout.default,
		});
		for (const item of items) {
			const limits = SEND_OPTION_LIMITS[item.name as keyof typeof SEND_OPTION_LIMITS];
			expect(item).toMatchObject({ type: 'number', typeOptions: { minValue: limits.min, maxValue: limits.max } });
		}
	});

	it('has no parameter it does not document', () => {
		expect(description.properties.map((p) => p.name)).toEqual([
			'resource',
			'operation',
			'content',
			'senderId',
			'senderName',
			'conversationId',
			'messageType',
			'messageTypeNotice',
			'messageId',
			'timestamp',
			'options',
		]);
	});
});
