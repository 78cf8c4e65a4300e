import { randomUUID } from 'crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';

import { closeServer, listenOnLoopback } from '../../support/loopbackServer';

export interface RecordedRequest {
	at: number;
	attempt: number;
	status: number;
	headers: IncomingMessage['headers'];
	body: Record<string, unknown> & { messageId?: string; content?: string; conversationId?: string };
}

/**
 * A stand-in for klink.cloud's Custom Channel inbound webhook on 127.0.0.1. It records every request and
 * reacts to markers in the message content, per message id:
 *   [429] answers 429 with Retry-After: 1 the first time;  [500] answers 500 the first two times;
 *   [drop] destroys the connection the first time;        [slow] answers after 1.5 s;
 *   [400] always answers 400.
 * Like klink should, it accepts a message id once: `accepted` holds each id's first successful body.
 */
export class InboundStandIn {
	readonly requests: RecordedRequest[] = [];
	readonly accepted = new Map<string, RecordedRequest>();
	readonly secretPath = `/custom-channel/${randomUUID()}/${randomUUID()}/webhook`;
	delayMs = 0;
	/** The most requests that were being answered at one time: proof that sends overlapped. */
	maxInFlight = 0;
	/** The most requests of one conversation (by `conversationId`) answered at one time. */
	maxInFlightPerConversation = 0;
	private inFlight = 0;
	private readonly inFlightByConversation = new Map<string, number>();
	private server: Server | undefined;
	private port = 0;
	private attempts = new Map<string, number>();

	async start(): Promise<string> {
		this.server = createServer((req, res) => this.handle(req, res));
		this.server.keepAliveTimeout = 30_000;
		this.port = await listenOnLoopback(this.server);
		return this.url;
	}

	get url(): string {
		return `http://127.0.0.1:${this.port}${this.secretPath}`;
	}

	async stop(): Promise<void> {
		await closeServer(this.server);
	}

	reset(): void {
		this.requests.length = 0;
		this.accepted.clear();
		this.attempts.clear();
		this.maxInFlight = 0;
		this.maxInFlightPerConversation = 0;
		this.inFlightByConversation.clear();
	}

	private handle(req: IncomingMessage, res: ServerResponse): void {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			if (req.url !== this.secretPath || req.method !== 'POST') {
				res.writeHead(404).end('not found');
				return;
			}
			let body: RecordedRequest['body'];
			try {
				body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as RecordedRequest['body'];
			} catch {
				res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid JSON"}');
				return;
			}
			const id = String(body.messageId);
			const attempt = (this.attempts.get(id) ?? 0) + 1;
			this.attempts.set(id, attempt);
			const content = String(body.content ?? '');
			const record = (status: number): RecordedRequest => {
				const entry = { at: Date.now(), attempt, status, headers: req.headers, body };
				this.requests.push(entry);
				return entry;
			};

			if (content.includes('[drop]') && attempt === 1) {
				record(0);
				req.socket.destroy();
				return;
			}
			if (content.includes('[429]') && attempt === 1) {
				record(429);
				res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' }).end('{"error":"slow down"}');
				return;
			}
			if (content.includes('[500]') && attempt <= 2) {
				record(500);
				res.writeHead(500, { 'content-type': 'text/plain' }).end('upstream exploded');
				return;
			}
			if (content.includes('[400]')) {
				record(400);
				res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"content rejected"}');
				return;
			}
			this.inFlight++;
			this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
			const conversation = String(body.conversationId ?? '');
			const inConversation = (this.inFlightByConversation.get(conversation) ?? 0) + 1;
			this.inFlightByConversation.set(conversation, inConversation);
			if (conversation) this.maxInFlightPerConversation = Math.max(this.maxInFlightPerConversation, inConversation);
			const respond = () => {
				this.inFlight--;
				this.inFlightByConversation.set(conversation, (this.inFlightByConversation.get(conversation) ?? 1) - 1);
				const entry = record(200);
				if (!this.accepted.has(id)) this.accepted.set(id, entry);
				const conversationId = body.conversationId ?? `conv-${id}`;
				res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ success: true, conversationId }));
			};
			const delay = content.includes('[slow]') ? 1500 : this.delayMs;
			if (delay > 0) setTimeout(respond, delay);
			else respond();
		});
	}
}
