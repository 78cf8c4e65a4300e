import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';

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
	body: unknown;
}

/**
 * An HTTP server on 127.0.0.1 that records every request and answers it with what `respond` returns
 * (by default 200 with `{ "ok": true }`): a stand-in for the services the example workflows call.
 */
export class RecordingServer {
	readonly calls: RecordedCall[] = [];
	private server: Server | undefined;

	constructor(private readonly respond: (call: RecordedCall) => Reply = () => ({ body: { ok: true } })) {}

	async start(): Promise<string> {
		this.server = createServer((req, res) => this.handle(req, res));
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		return this.origin;
	}

	/** `http://127.0.0.1:<port>`, without a trailing slash. */
	get origin(): string {
		const { port } = this.server!.address() as AddressInfo;
		return `http://127.0.0.1:${port}`;
	}

	async stop(): Promise<void> {
		this.server?.closeAllConnections();
		await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
	}

	reset(): void {
		this.calls.length = 0;
	}

	private handle(req: IncomingMessage, res: ServerResponse): void {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const text = Buffer.concat(chunks).toString('utf8');
			let body: unknown = text;
			try {
				body = text === '' ? undefined : JSON.parse(text);
			} catch {
				// not JSON: keep the text
			}
			const call: RecordedCall = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
			this.calls.push(call);
			let reply: Reply;
			try {
				reply = this.respond(call);
			} catch (error) {
				reply = { status: 500, body: { error: String(error) } };
			}
			res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
			res.end(JSON.stringify(reply.body));
		});
	}
}
