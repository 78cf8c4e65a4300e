import type { IncomingMessage, Server } from 'http';
import type { AddressInfo } from 'net';

/** Starts `server` on a free port of 127.0.0.1 (the only address tests may use) and returns the port. */
export async function listenOnLoopback(server: Server): Promise<number> {
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return (server.address() as AddressInfo).port;
}

/** Stops `server` at once, keep-alive connections included. */
export async function closeServer(server: Server | undefined): Promise<void> {
	if (!server) return;
	server.closeAllConnections();
	await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Reads a request's whole body: its text, and the parsed JSON when it is JSON (else the text again). */
export function onRequestBody(req: IncomingMessage, handle: (body: { text: string; parsed: unknown }) => void): void {
	const chunks: Buffer[] = [];
	req.on('data', (chunk: Buffer) => chunks.push(chunk));
	req.on('end', () => {
		const text = Buffer.concat(chunks).toString('utf8');
		let parsed: unknown = text;
		try {
			parsed = text === '' ? undefined : JSON.parse(text);
		} catch {
			// not JSON: the text is what the test looks at
		}
		handle({ text, parsed });
	});
}
