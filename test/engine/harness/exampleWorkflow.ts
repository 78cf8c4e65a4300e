import type { INode } from 'n8n-workflow';

import { loadExample } from '../../e2e/harness/exampleWorkflows';
import type { ExampleCase } from '../exampleCases';
import type { CredentialsById } from './credentialsHelper';
import type { WorkflowJson } from './runWorkflow';

/**
 * The exported file with what the user fills in after importing. Credentials are looked up by type, except
 * for a node given its own (`nodeCredentials`): its reference gets an id of its own, looked up first.
 */
export function exampleWorkflow(example: Pick<ExampleCase, 'file' | 'parameters' | 'nodeCredentials'>): { workflow: WorkflowJson; credentialsById: CredentialsById } {
	const exported = loadExample(example.file);
	const credentialsById: CredentialsById = {};
	const nodes = exported.nodes.map((node) => {
		const copy = JSON.parse(JSON.stringify(node)) as INode;
		copy.parameters = { ...copy.parameters, ...example.parameters?.[node.name] };
		for (const [type, data] of Object.entries(example.nodeCredentials?.[node.name] ?? {})) {
			if (!copy.credentials?.[type]) throw new Error(`${example.file}: "${node.name}" has no ${type} credential`);
			const id = `engine:${node.name}:${type}`;
			copy.credentials[type] = { ...copy.credentials[type], id };
			credentialsById[id] = data;
		}
		return copy;
	});
	for (const name of [...Object.keys(example.parameters ?? {}), ...Object.keys(example.nodeCredentials ?? {})]) {
		if (!nodes.some((node) => node.name === name)) throw new Error(`${example.file} has no node "${name}"`);
	}
	return {
		workflow: { id: example.file, name: exported.name, nodes, connections: exported.connections as WorkflowJson['connections'], settings: exported.settings },
		credentialsById,
	};
}
