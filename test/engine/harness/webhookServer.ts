import './engineRuntime';

import express, { type Request, type Response } from 'express';
import type { Server } from 'http';
import { HookContext, WebhookContext } from 'n8n-core';
import {
	jsonParse,
	NodeHelpers,
	Workflow,
	type IDataObject,
	type INode,
	type IWebhookData,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { closeServer, listenOnLoopback } from '../../support/loopbackServer';
import { TestCredentialsHelper, type CredentialsByType } from './credentialsHelper';
import { EngineNodeTypes } from './nodeTypes';
import { additionalDataFor, prepareTypes, runWorkflow, type EngineRun, type WorkflowJson } from './runWorkflow';

export interface WebhookServerSettings {
	workflow: WorkflowJson;
	credentials?: CredentialsByType;
	nodeTypes?: EngineNodeTypes;
}

type WebhookRequest = Request & { rawBody?: Buffer };

/** A plain copy, as n8n's database round trip makes one (n8n-workflow wraps static data in a proxy). */
function copyOf(data: IDataObject): IDataObject {
	return JSON.parse(JSON.stringify(data)) as IDataObject;
}

/**
 * A production webhook endpoint on 127.0.0.1 that serves one workflow's trigger nodes the way n8n's live
 * webhooks do, on n8n-core's own WebhookContext with a real request and response: the body read as raw
 * bytes (and parsed when it is JSON), the node's `webhook()` called, static data saved when the node
 * changed it and loaded again for the next request, and the items it returns run through the rest of the
 * workflow on n8n-core's engine, after the answer (as n8n 1.x does for `onReceived`).
 */
export class WebhookServer {
	/** Executions started by accepted requests, in arrival order. */
	readonly executions: Array<Promise<EngineRun>> = [];
	/** The workflow's static data as n8n would have saved it to its database. */
	savedStaticData: IDataObject = {};
	private server: Server | undefined;
	private port = 0;
	private readonly nodeTypes: EngineNodeTypes;
	private readonly credentials: CredentialsByType;

	constructor(private readonly settings: WebhookServerSettings) {
		this.nodeTypes = settings.nodeTypes ?? new EngineNodeTypes();
		this.credentials = settings.credentials ?? {};
		this.savedStaticData = copyOf(settings.workflow.staticData ?? {});
	}

	async start(): Promise<this> {
		await prepareTypes(this.settings.workflow, this.credentials, this.nodeTypes);
		const app = express();
		app.use((req, res) => {
			this.handle(req as WebhookRequest, res).catch((error: Error) => {
				if (!res.headersSent) res.status(500).json({ code: 0, message: error.message });
			});
		});
		this.server = app.listen(0, '127.0.0.1');
		this.port = await listenOnLoopback(this.server);
		return this;
	}

	async stop(): Promise<void> {
		await closeServer(this.server);
		await Promise.allSettled(this.executions);
	}

	/** n8n's public webhook base, as WEBHOOK_URL / N8N_WEBHOOK_URL plus `/webhook` would give it. */
	get webhookBaseUrl(): string {
		return `http://127.0.0.1:${this.port}/webhook`;
	}

	/** The node's Production URL, built by n8n-workflow's own helper as the editor shows it. */
	urlOf(nodeName: string): string {
		const node = this.node(nodeName);
		const [description] = this.nodeTypes.getByNameAndVersion(node.type, node.typeVersion).description.webhooks ?? [];
		if (!description) throw new Error(`${nodeName} has no webhook`);
		return NodeHelpers.getNodeWebhookUrl(this.webhookBaseUrl, this.workflowId, node, String(description.path), false);
	}

	/** The workflow this endpoint serves, as it was given. */
	get workflow(): WorkflowJson {
		return this.settings.workflow;
	}

	private get workflowId(): string {
		return this.settings.workflow.id ?? 'engine-webhook-workflow';
	}

	private node(name: string): INode {
		const node = this.settings.workflow.nodes.find((candidate) => candidate.name === name);
		if (!node) throw new Error(`the workflow has no node "${name}"`);
		return node;
	}

	/**
	 * Activates the workflow's webhook as n8n does: the node's `checkExists` hook, then `create` when it
	 * answers false, on n8n-core's HookContext; static data the hooks change is saved.
	 */
	async activate(nodeName: string): Promise<void> {
		const { workflow, node, webhookData } = this.prepare(this.node(nodeName));
		const methods = this.nodeTypes.getByNameAndVersion(node.type, node.typeVersion).webhookMethods?.default;
		if (!methods) throw new Error(`${nodeName} has no webhook methods`);
		const context = () => new HookContext(workflow, node, webhookData.workflowExecuteAdditionalData, 'webhook', 'activate', webhookData);
		if (!(await methods.checkExists.call(context()))) await methods.create.call(context());
		this.saveIfChanged(workflow);
	}

	/** The per-request objects n8n builds: the workflow with the saved static data, additional data, webhook data. */
	private prepare(exported: INode) {
		const workflow = new Workflow({
			id: this.workflowId,
			name: this.settings.workflow.name,
			nodes: this.settings.workflow.nodes,
			connections: this.settings.workflow.connections,
			settings: this.settings.workflow.settings ?? { executionOrder: 'v1' },
			staticData: copyOf(this.savedStaticData),
			active: true,
			nodeTypes: this.nodeTypes,
		});
		const node = workflow.getNode(exported.name)!;
		const nodeType = this.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
		const [webhookDescription] = nodeType.description.webhooks ?? [];
		const additionalData = additionalDataFor(undefined, new TestCredentialsHelper(this.credentials, this.nodeTypes), {
			executionId: '',
			webhookBaseUrl: this.webhookBaseUrl,
			workflowId: this.workflowId,
		});
		const webhookData: IWebhookData = {
			httpMethod: 'POST',
			node: node.name,
			path: String(webhookDescription.path),
			webhookDescription,
			workflowId: this.workflowId,
			workflowExecuteAdditionalData: additionalData,
			webhookId: node.webhookId,
		};
		return { workflow, node, nodeType, additionalData, webhookData };
	}

	/** n8n saves static data only when a node changed it, and saves the whole object. */
	private saveIfChanged(workflow: Workflow): void {
		if (workflow.staticData.__dataChanged !== true) return;
		const saved = copyOf(workflow.staticData);
		delete saved.__dataChanged;
		this.savedStaticData = saved;
	}

	/** What n8n's raw body reader and body parser leave on a request: `rawBody`, and `body` for JSON. */
	private async readBody(req: WebhookRequest): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		req.rawBody = Buffer.concat(chunks);
		const isJson = (req.headers['content-type'] ?? '').split(';')[0].trim() === 'application/json';
		req.body = isJson && req.rawBody.length > 0 ? jsonParse(req.rawBody.toString('utf8')) : {};
	}

	private async handle(req: WebhookRequest, res: Response): Promise<void> {
		const node = this.settings.workflow.nodes.find(
			(candidate) => candidate.webhookId !== undefined && req.path.startsWith(`/webhook/${candidate.webhookId}/`),
		);
		if (!node || req.method !== 'POST') {
			res.status(404).json({ message: 'The requested webhook is not registered.' });
			return;
		}
		try {
			await this.readBody(req);
		} catch (error) {
			res.status(422).json({ message: 'Failed to parse request body', hint: (error as Error).message });
			return;
		}

		// As n8n does per request: the workflow built fresh, with the static data last saved.
		const { workflow, nodeType, additionalData, webhookData } = this.prepare(node);
		additionalData.httpRequest = req;
		additionalData.httpResponse = res;
		const context = new WebhookContext(workflow, workflow.getNode(node.name)!, additionalData, 'webhook', webhookData, [], null);

		let result: IWebhookResponseData;
		try {
			result = await nodeType.webhook!.call(context);
		} catch (error) {
			if (!res.headersSent) res.status(500).json({ code: 0, message: (error as Error).message });
			return;
		}
		this.saveIfChanged(workflow);
		if (!result.noWebhookResponse && !res.headersSent) {
			res.status(200).json(result.webhookResponse ?? { message: 'Workflow was started' });
		}
		const items = result.workflowData?.[0];
		if (items) {
			this.executions.push(
				runWorkflow({
					workflow: { ...this.settings.workflow, staticData: copyOf(this.savedStaticData) },
					startNode: node.name,
					items,
					credentials: this.credentials,
					nodeTypes: this.nodeTypes,
					mode: 'webhook',
					webhookBaseUrl: this.webhookBaseUrl,
				}),
			);
		}
	}
}
