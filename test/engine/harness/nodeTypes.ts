import { readFileSync } from 'fs';
import { basename, join } from 'path';

import {
	NodeHelpers,
	type ICredentialType,
	type INodeType,
	type INodeTypes,
	type IVersionedNodeType,
} from 'n8n-workflow';

/**
 * Node and credential types for the engine, loaded the way n8n finds them: this package's through the
 * `n8n.nodes` / `n8n.credentials` lists of its package.json (each `dist/….js` mapped to its TypeScript
 * source, so no build is needed), n8n's own from n8n-nodes-base's `dist/known` index, which is what n8n's
 * lazy loader reads. Types load on first use; a workflow's types are loaded before it runs.
 */

type NodeTypeClass = INodeType | IVersionedNodeType;

const ROOT = join(__dirname, '..', '..', '..');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
	name: string;
	n8n: { nodes: string[]; credentials: string[] };
};
const BASE_PACKAGE = 'n8n-nodes-base';
const BASE_ROOT = join(require.resolve(`${BASE_PACKAGE}/package.json`), '..');

interface KnownClass {
	className: string;
	sourcePath: string;
}

function readKnown(kind: 'nodes' | 'credentials'): Record<string, KnownClass> {
	return JSON.parse(readFileSync(join(BASE_ROOT, 'dist', 'known', `${kind}.json`), 'utf8')) as Record<string, KnownClass>;
}

/** `dist/nodes/Klink/Klink.node.js` → the source file and its class name (n8n's rule: the file name's first part). */
function packageSource(distPath: string): KnownClass {
	const source = join(ROOT, distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
	return { className: basename(distPath).split('.')[0], sourcePath: source };
}

async function instantiate<T>(known: KnownClass): Promise<T> {
	const loaded = (await import(known.sourcePath)) as Record<string, new () => T>;
	const Class = loaded[known.className];
	if (typeof Class !== 'function') throw new Error(`${known.sourcePath} has no class ${known.className}`);
	return new Class();
}

function shortName(type: string, prefix: string): string | undefined {
	return type.startsWith(`${prefix}.`) ? type.slice(prefix.length + 1) : undefined;
}

export class EngineNodeTypes implements INodeTypes {
	private readonly nodes = new Map<string, NodeTypeClass>();
	private readonly credentials = new Map<string, ICredentialType>();
	private readonly baseNodes = readKnown('nodes');
	private readonly baseCredentials = readKnown('credentials');

	/** Node types that stand in for packages not installed here (see standIns.ts), by full type name. */
	constructor(private readonly standIns: Record<string, NodeTypeClass> = {}) {}

	/** Loads every node type a workflow uses; throws for a type nobody provides. */
	async load(types: Iterable<string>): Promise<void> {
		for (const type of types) await this.loadNode(type);
	}

	private async loadNode(type: string): Promise<NodeTypeClass> {
		const cached = this.nodes.get(type);
		if (cached) return cached;
		let nodeType: NodeTypeClass | undefined = this.standIns[type];
		const own = shortName(type, PACKAGE.name);
		const base = shortName(type, BASE_PACKAGE);
		if (!nodeType && own !== undefined) {
			for (const path of PACKAGE.n8n.nodes) {
				const candidate = await instantiate<NodeTypeClass>(packageSource(path));
				if (candidate.description.name === own) nodeType = candidate;
			}
		}
		if (!nodeType && base !== undefined && this.baseNodes[base]) {
			const known = this.baseNodes[base];
			nodeType = await instantiate<NodeTypeClass>({ ...known, sourcePath: join(BASE_ROOT, known.sourcePath) });
		}
		if (!nodeType) throw new Error(`no node type ${type} in the engine harness (add a stand-in for it)`);
		this.nodes.set(type, nodeType);
		return nodeType;
	}

	/** A credential type (for its `authenticate` rules), from this package or n8n-nodes-base. */
	async loadCredential(name: string): Promise<ICredentialType | undefined> {
		const cached = this.credentials.get(name);
		if (cached) return cached;
		let credential: ICredentialType | undefined;
		for (const path of PACKAGE.n8n.credentials) {
			const candidate = await instantiate<ICredentialType>(packageSource(path));
			if (candidate.name === name) credential = candidate;
		}
		const known = this.baseCredentials[name];
		if (!credential && known) {
			credential = await instantiate<ICredentialType>({ ...known, sourcePath: join(BASE_ROOT, known.sourcePath) });
		}
		if (credential) this.credentials.set(name, credential);
		return credential;
	}

	/** Registers a node type made by the test (such as a tool variant), under its full type name. */
	add(type: string, nodeType: NodeTypeClass): void {
		this.nodes.set(type, nodeType);
	}

	getCredential(name: string): ICredentialType | undefined {
		return this.credentials.get(name);
	}

	getByName(type: string): NodeTypeClass {
		const nodeType = this.nodes.get(type);
		if (!nodeType) throw new Error(`node type ${type} was not loaded before the run`);
		return nodeType;
	}

	getByNameAndVersion(type: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(type), version);
	}

	getKnownTypes() {
		return {};
	}
}
