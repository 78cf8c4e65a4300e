import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';

import { closeServer, listenOnLoopback, onRequestBody } from '../../support/loopbackServer';

export interface RecordedCall {
	method: string;
	path: string;
	headers: IncomingMessage['headers'];
	/** The body parsed as JSON, or the raw text when it is not JSON. */
	body: unknown;
}

export interface Reply {
	status?: number;
	headers?: Record<string, string>;
	/** Sent as JSON, unless it is a string and `headers` give a content type other than JSON: then as is. */
	body: unknown;
}

/**
 * An HTTP server on 127.0.0.1 that records every request and answers it with what `respond` returns
 * (by default 200 with `{ "ok": true }`): a stand-in for the services the example workflows call.
 */
export class RecordingServer {
	readonly calls: RecordedCall[] = [];
	private server: Server | undefined;
	private port = 0;

	constructor(private readonly respond: (call: RecordedCall) => Reply = () => ({ body: { ok: true } })) {}

	async start(): Promise<string> {
		this.server = createServer((req, res) => this.handle(req, res));
		this.port = await listenOnLoopback(this.server);
		return this.origin;
	}

	/** `http://127.0.0.1:<port>`, without a trailing slash. */
	get origin(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	async stop(): Promise<void> {
		await closeServer(this.server);
	}

	reset(): void {
		this.calls.length = 0;
	}

	private handle(req: IncomingMessage, res: ServerResponse): void {
		onRequestBody(req, ({ parsed: body }) => {
			const call: RecordedCall = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
			this.calls.push(call);
			let reply: Reply;
			try {
				reply = this.respond(call);
			} catch (error) {
				reply = { status: 500, body: { error: String(error) } };
			}
			const headers = { 'content-type': 'application/json', ...reply.headers };
			const asIs = typeof reply.body === 'string' && !/json/i.test(headers['content-type']);
			res.writeHead(reply.status ?? 200, headers);
			res.end(asIs ? (reply.body as string) : JSON.stringify(reply.body));
		});
	}
}
