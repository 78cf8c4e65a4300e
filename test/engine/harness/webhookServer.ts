import './engineRuntime';

import express, { type Request, type Response } from 'express';
import type { Server } from 'http';
import { HookContext, WebhookContext } from 'n8n-core';
import {
	isNodeClassInstance,
	jsonParse,
	NodeHelpers,
	Workflow,
	type IDataObject,
	type INode,
	type IWebhookData,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { closeServer, listenOnLoopback } from '../../support/loopbackServer';
import { TestCredentialsHelper, type CredentialsById, type CredentialsByType } from './credentialsHelper';
import { EngineNodeTypes } from './nodeTypes';
import { additionalDataFor, prepareTypes, runWorkflow, type EngineRun, type WorkflowJson } from './runWorkflow';

export interface WebhookServerSettings {
	workflow: WorkflowJson;
	credentials?: CredentialsByType;
	/** Credentials of single nodes, by the id in the node's credential reference. */
	credentialsById?: CredentialsById;
	nodeTypes?: EngineNodeTypes;
	/**
	 * Where the workflow's static data is saved: give two servers the same one to stand for two n8n processes
	 * (queue mode's webhook processes) that share one database row.
	 */
	staticDataStore?: StaticDataStore;
	/** How long n8n takes to get to a request before it calls the node (a loaded webhook process). */
	delayBeforeNodeMs?: number;
	/** How long n8n takes to answer for the node (`webhookResponse`): n8n 2.x answers once it stored the run. */
	delayBeforeAnswerMs?: number;
}

/** The database row of the workflow's static data. */
export interface StaticDataStore {
	saved: IDataObject;
}

/** A webhook as n8n registers it when the workflow is activated: node, HTTP method, path under `/webhook/`, response mode. */
interface WebhookRoute {
	node: string;
	method: string;
	path: string;
	isFullPath: boolean;
	responseMode: string;
}

type WebhookRequest = Request & { rawBody?: Buffer };

const QUIET_MS = 2500;

/** What n8n answers for `responseMode: lastNode` (the Webhook node's default Response Data, *First Entry JSON*). */
function lastNodeAnswer(run: EngineRun): { status: number; body: unknown } {
	const { resultData } = run.run.data;
	if (resultData.error || run.run.status !== 'success') return { status: 500, body: { code: 0, message: 'Error in workflow' } };
	const last = resultData.lastNodeExecuted;
	const first = last ? run.output(last, run.runs(last).length - 1)[0] : undefined;
	if (!first) return { status: 200, body: { message: 'Workflow executed successfully but the last node did not return any data' } };
	return { status: 200, body: first.json };
}

/** A plain copy, as n8n's database round trip makes one (n8n-workflow wraps static data in a proxy). */
function copyOf(data: IDataObject): IDataObject {
	return JSON.parse(JSON.stringify(data)) as IDataObject;
}

/**
 * A production webhook endpoint on 127.0.0.1 that serves one workflow's trigger nodes the way n8n's live
 * webhooks do, on n8n-core's own WebhookContext with a real request and response: each webhook node (the
 * Klink Trigger, n8n's Webhook node) at the method and path n8n would register for it, the body read as raw
 * bytes (and parsed when it is JSON), the node's `webhook()` called, static data saved when the node
 * changed it and loaded again for the next request, and the items it returns run through the rest of the
 * workflow on n8n-core's engine: after the answer (`onReceived`, as n8n 1.x does), or before it for
 * `lastNode`, answered with the last node's first item. Static data the run changed is saved when it
 * ends, as n8n saves it after a production execution.
 */
export class WebhookServer {
	/** Executions started by accepted requests, in arrival order. */
	readonly executions: Array<Promise<EngineRun>> = [];
	/** Per request that started a run: whether the node wrote its own answer, or left it to n8n (`webhookResponse`). */
	readonly answeredBy: Array<'node' | 'n8n'> = [];
	private readonly store: StaticDataStore;
	private server: Server | undefined;
	private port = 0;
	private readonly nodeTypes: EngineNodeTypes;
	private readonly credentials: CredentialsByType;
	private routes: WebhookRoute[] = [];
	private lastRequestAt = 0;

	constructor(private readonly settings: WebhookServerSettings) {
		this.nodeTypes = settings.nodeTypes ?? new EngineNodeTypes();
		this.credentials = settings.credentials ?? {};
		this.store = settings.staticDataStore ?? { saved: copyOf(settings.workflow.staticData ?? {}) };
	}

	/** The workflow's static data as n8n would have saved it to its database. */
	get savedStaticData(): IDataObject {
		return this.store.saved;
	}

	set savedStaticData(data: IDataObject) {
		this.store.saved = data;
	}

	async start(): Promise<this> {
		await prepareTypes(this.settings.workflow, this.credentials, this.nodeTypes);
		this.routes = this.settings.workflow.nodes.flatMap((node) => this.routesOf(node));
		const app = express();
		app.use((req, res) => {
			this.lastRequestAt = Date.now();
			this.handle(req as WebhookRequest, res).catch((error: Error) => {
				if (!res.headersSent) res.status(500).json({ code: 0, message: error.message });
			});
		});
		this.server = app.listen(0, '127.0.0.1');
		this.port = await listenOnLoopback(this.server);
		return this;
	}

	/**
	 * Closes the endpoint once it has been quiet for QUIET_MS: a trigger may still call its own URL after a
	 * request (the Klink Trigger's dedupe flush, a second later, and its check two seconds after that).
	 */
	async stop(): Promise<void> {
		const deadline = Date.now() + 10_000;
		while (Date.now() - this.lastRequestAt < QUIET_MS && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
		await closeServer(this.server);
		await Promise.allSettled(this.executions);
	}

	/** n8n's public webhook base, as WEBHOOK_URL / N8N_WEBHOOK_URL plus `/webhook` would give it. */
	get webhookBaseUrl(): string {
		return `http://127.0.0.1:${this.port}/webhook`;
	}

	/** The node's Production URL, built by n8n-workflow's own helper as the editor shows it. */
	urlOf(nodeName: string): string {
		const route = this.routes.find((candidate) => candidate.node === nodeName);
		if (!route) throw new Error(`${nodeName} has no webhook`);
		return NodeHelpers.getNodeWebhookUrl(this.webhookBaseUrl, this.workflowId, this.node(nodeName), route.path, route.isFullPath);
	}

	/** The node's webhooks with their descriptions resolved against its parameters, as n8n does on activation. */
	private routesOf(exported: INode): WebhookRoute[] {
		const descriptions = this.nodeTypes.getByNameAndVersion(exported.type, exported.typeVersion).description.webhooks ?? [];
		if (descriptions.length === 0) return [];
		const { workflow } = this.prepare(exported);
		const node = workflow.getNode(exported.name)!;
		const resolve = (value: string | boolean | undefined, fallback?: string | boolean) =>
			workflow.expression.getSimpleParameterValue(node, value, 'internal', {}, undefined, fallback);
		return descriptions.map((description) => ({
			node: node.name,
			method: String(resolve(description.httpMethod, 'GET')),
			path: String(resolve(description.path)).replace(/^\//, ''),
			isFullPath: resolve(description.isFullPath, false) === true,
			responseMode: String(resolve(description.responseMode, 'onReceived')),
		}));
	}

	private routeFor(req: Request): WebhookRoute | undefined {
		return this.routes.find(
			(route) =>
				route.method === req.method &&
				req.path === new URL(NodeHelpers.getNodeWebhookUrl(this.webhookBaseUrl, this.workflowId, this.node(route.node), route.path, route.isFullPath)).pathname,
		);
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
	private prepare(exported: INode, route?: WebhookRoute) {
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
		const credentialsHelper = new TestCredentialsHelper(this.credentials, this.nodeTypes, this.settings.credentialsById);
		const additionalData = additionalDataFor(undefined, credentialsHelper, {
			executionId: '',
			webhookBaseUrl: this.webhookBaseUrl,
			workflowId: this.workflowId,
		});
		const webhookData: IWebhookData = {
			httpMethod: (route?.method ?? 'POST') as IWebhookData['httpMethod'],
			node: node.name,
			path: route?.path ?? String(webhookDescription.path),
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
		const route = this.routeFor(req);
		if (!route) {
			res.status(404).json({ message: 'The requested webhook is not registered.' });
			return;
		}
		const node = this.node(route.node);
		try {
			await this.readBody(req);
		} catch (error) {
			res.status(422).json({ message: 'Failed to parse request body', hint: (error as Error).message });
			return;
		}
		if (this.settings.delayBeforeNodeMs) await new Promise((resolve) => setTimeout(resolve, this.settings.delayBeforeNodeMs));

		// As n8n does per request: the workflow built fresh, with the static data last saved.
		const { workflow, nodeType, additionalData, webhookData } = this.prepare(node, route);
		additionalData.httpRequest = req;
		additionalData.httpResponse = res;
		const context = new WebhookContext(workflow, workflow.getNode(node.name)!, additionalData, 'webhook', webhookData, [], null);

		let result: IWebhookResponseData;
		try {
			// Nodes written as `Node` subclasses (n8n's Webhook node) get the context as an argument.
			result = isNodeClassInstance(nodeType) ? await nodeType.webhook!(context) : await nodeType.webhook!.call(context);
		} catch (error) {
			if (!res.headersSent) res.status(500).json({ code: 0, message: (error as Error).message });
			return;
		}
		this.saveIfChanged(workflow);
		const answersNow = route.responseMode !== 'lastNode';
		if (answersNow && !result.noWebhookResponse && result.workflowData && this.settings.delayBeforeAnswerMs) {
			await new Promise((resolve) => setTimeout(resolve, this.settings.delayBeforeAnswerMs));
		}
		if (answersNow && !result.noWebhookResponse && !res.headersSent) {
			res.status(200).json(result.webhookResponse ?? { message: 'Workflow was started' });
		}
		const items = result.workflowData?.[0];
		if (!items) return;
		this.answeredBy.push(result.noWebhookResponse ? 'node' : 'n8n');
		const execution = runWorkflow({
			workflow: { ...this.settings.workflow, staticData: copyOf(this.savedStaticData) },
			startNode: node.name,
			items,
			credentials: this.credentials,
			credentialsById: this.settings.credentialsById,
			nodeTypes: this.nodeTypes,
			mode: 'webhook',
			webhookBaseUrl: this.webhookBaseUrl,
		}).then((run) => {
			// n8n saves the run's whole copy of the static data when the run changed it.
			if (run.newStaticData) {
				const saved = copyOf(run.newStaticData);
				delete saved.__dataChanged;
				this.savedStaticData = saved;
			}
			return run;
		});
		this.executions.push(execution);
		if (!answersNow && !result.noWebhookResponse && !res.headersSent) {
			const answer = lastNodeAnswer(await execution);
			res.status(answer.status).json(answer.body);
		}
	}
}
