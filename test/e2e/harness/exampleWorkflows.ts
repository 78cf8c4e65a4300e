import { readFileSync } from 'fs';
import { join } from 'path';

import { activateWorkflow, api, waitForWebhookRoute, webhookBase, webhookUrl, type ApiTarget, type WorkflowNode } from './n8nApi';

export const EXAMPLES_DIR = join(__dirname, '..', '..', '..', 'examples');

/** A workflow as the editor exports it (and as examples/*.json hold it). */
export interface ExportedWorkflow {
	name: string;
	nodes: Array<WorkflowNode & { id: string; position: [number, number] }>;
	connections: Record<string, Record<string, Array<Array<{ node: string; type: string; index: number }>>>>;
	settings?: Record<string, unknown>;
	[field: string]: unknown;
}

export function loadExample(file: string): ExportedWorkflow {
	return JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as ExportedWorkflow;
}

/**
 * The fields of an exported workflow that POST /api/v1/workflows accepts in both n8n 1.x and 2.x. The rest
 * (id, active, tags, pinData, meta, versionId, ...) is read-only there or unknown to one of the versions, and
 * the API answers 400 for any of them.
 */
const PUBLIC_API_FIELDS = ['name', 'nodes', 'connections', 'settings', 'staticData'] as const;

export interface ExamplePatch {
	/** Replaces every credential reference of a type with a credential that exists in this n8n. */
	credentials: Record<string, { id: string; name: string }>;
	/** Per node, credentials that differ from the ones above (two nodes using one type for different services). */
	nodeCredentials?: Record<string, Record<string, { id: string; name: string }>>;
	/** Parameters to overwrite, by node name (e.g. a URL pointed at a local stand-in). */
	parameters?: Record<string, Record<string, unknown>>;
	name?: string;
}

/** The example as the public API takes it, with its placeholder credentials and chosen parameters replaced. */
export function toPublicApiWorkflow(example: ExportedWorkflow, patch: ExamplePatch): Record<string, unknown> {
	const nodes = example.nodes.map((node) => {
		const copy: WorkflowNode & Record<string, unknown> = JSON.parse(JSON.stringify(node));
		if (copy.credentials) {
			for (const type of Object.keys(copy.credentials)) {
				const replacement = patch.nodeCredentials?.[node.name]?.[type] ?? patch.credentials[type];
				if (!replacement) throw new Error(`${node.name} uses a ${type} credential the test did not create`);
				copy.credentials[type] = replacement;
			}
		}
		const parameters = patch.parameters?.[node.name];
		if (parameters) copy.parameters = { ...copy.parameters, ...parameters };
		return copy;
	});
	for (const nodeName of [...Object.keys(patch.parameters ?? {}), ...Object.keys(patch.nodeCredentials ?? {})]) {
		if (!example.nodes.some((node) => node.name === nodeName)) throw new Error(`the example has no node ${nodeName}`);
	}
	const workflow: Record<string, unknown> = {};
	for (const field of PUBLIC_API_FIELDS) if (example[field] !== undefined) workflow[field] = example[field];
	return { ...workflow, name: patch.name ?? example.name, nodes, settings: example.settings ?? {} };
}


export interface DeployedExample {
	workflowId: string;
	/** The Klink Trigger's production URL: /webhook/<the example's webhookId>/klink. */
	url: string;
	webhookId: string;
	nodes: WorkflowNode[];
}

/** Creates the patched example through the public API, activates (1.x) or publishes (2.x) it, waits for its URL. */
export async function deployExample(target: ApiTarget, file: string, patch: ExamplePatch): Promise<DeployedExample> {
	const example = loadExample(file);
	const created = await api<{ id: string; nodes: WorkflowNode[] }>(target, 'POST', '/workflows', toPublicApiWorkflow(example, patch));
	await activateWorkflow(target, created.id);
	const trigger = created.nodes.find((node) => node.type === 'n8n-nodes-klink.klinkTrigger');
	const exported = example.nodes.find((node) => node.type === 'n8n-nodes-klink.klinkTrigger');
	if (!trigger?.webhookId) throw new Error(`${file}: no Klink Trigger with a webhookId`);
	// The URL a user pasted into klink.cloud must survive the import: n8n keeps the example's webhookId.
	if (trigger.webhookId !== exported?.webhookId) throw new Error(`${file}: n8n changed the webhookId to ${trigger.webhookId}`);
	const url = webhookUrl(webhookBase(target), trigger.webhookId);
	await waitForWebhookRoute(url);
	return { workflowId: created.id, url, webhookId: trigger.webhookId, nodes: created.nodes };
}

/** Placeholder credential data that the public API accepts in both majors, for nodes that call the internet. */
export const PLACEHOLDER_CREDENTIALS = {
	microsoftTeamsOAuth2Api: {
		// 1.x's schema requires these whenever dynamic client registration and the grant type are not set.
		serverUrl: 'https://login.microsoftonline.com',
		clientId: 'e2e-placeholder-client-id',
		clientSecret: 'e2e-placeholder-client-secret',
		sendAdditionalBodyProperties: false,
		additionalBodyProperties: '{}',
		// A "connected" account, so the node gets as far as calling Microsoft Graph.
		oauthTokenData: { access_token: 'e2e-placeholder-token', token_type: 'Bearer' },
	},
	// 1.x's schema wants its notice unless a signing secret is given.
	slackApi: { accessToken: 'xoxb-e2e-placeholder-token', signatureSecret: 'e2e-placeholder-signing-secret' },
} as const;
