import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';

import type { IDataObject } from 'n8n-workflow';

import { closeServer, listenOnLoopback } from '../../support/loopbackServer';

export interface ReceivedMessage {
	at: number;
	headers: IncomingMessage['headers'];
	body: IDataObject;
}

export type Answer = (req: IncomingMessage, res: ServerResponse, body: IDataObject) => void | Promise<void>;

export function answerJson(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}) {
	res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
	res.end(JSON.stringify(payload));
}

/**
 * klink.cloud's Custom Channel inbound webhook, stood in for on 127.0.0.1: records what arrives, answers
 * as `answer` says (200 `{ ok: true }` unless a test changes it), and counts requests in flight, overall
 * and per conversation (or per sender for messages without one).
 */
export class CustomChannelStandIn {
	readonly received: ReceivedMessage[] = [];
	inFlight = 0;
	maxInFlight = 0;
	maxInFlightPerKey = 0;
	answer: Answer = (_req, res) => answerJson(res, 200, { ok: true });
	port = 0;
	private readonly inFlightByKey = new Map<string, number>();
	private readonly server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', async () => {
			const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as IDataObject;
			this.received.push({ at: Date.now(), headers: req.headers, body });
			const key = String(body.conversationId ?? `sender:${(body.sender as IDataObject | undefined)?.id}`);
			this.inFlight += 1;
			this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
			this.inFlightByKey.set(key, (this.inFlightByKey.get(key) ?? 0) + 1);
			this.maxInFlightPerKey = Math.max(this.maxInFlightPerKey, this.inFlightByKey.get(key) ?? 0);
			res.on('close', () => {
				this.inFlight -= 1;
				this.inFlightByKey.set(key, (this.inFlightByKey.get(key) ?? 1) - 1);
			});
			await this.answer(req, res, body);
		});
	});

	constructor(readonly path: string) {}

	async start(): Promise<this> {
		this.port = await listenOnLoopback(this.server);
		return this;
	}

	get url(): string {
		return `http://127.0.0.1:${this.port}${this.path}`;
	}

	async stop(): Promise<void> {
		await closeServer(this.server);
	}
}
