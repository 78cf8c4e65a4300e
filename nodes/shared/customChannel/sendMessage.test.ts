import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';

import { closeServer, listenOnLoopback, onRequestBody } from '../../../test/support/loopbackServer';
import type { CustomChannelMessage } from './messageSchema';
import {
	CustomChannelSendError,
	networkErrorCodeOf,
	sendCustomChannelMessage,
	type HttpRequester,
	type Sleep,
} from './sendMessage';

const SECRET_A = '7f3c9a1e2b4d';
const SECRET_B = '5e8a0c6f9d21';
const PATH = `/custom-channel/${SECRET_A}/${SECRET_B}/webhook`;

/** A minimal requester on Node's own fetch: what the transport needs from any HTTP client. */
const fetchRequester: HttpRequester = async ({ url, method, headers, body, timeoutMs }) => {
	const response = await fetch(url, {
		method,
		headers,
		body: JSON.stringify(body),
		signal: AbortSignal.timeout(timeoutMs),
	});
	return {
		statusCode: response.status,
		headers: Object.fromEntries(response.headers.entries()),
		body: await response.text(),
	};
};

interface Received {
	method?: string;
	url?: string;
	contentType?: string;
	body: unknown;
}

type Step = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A local stand-in for klink that answers each request with the next scripted step (the last one repeats). */
class FakeKlink {
	readonly received: Received[] = [];
	private server: Server;
	private steps: Step[] = [];
	port = 0;

	constructor() {
		this.server = createServer((req, res) => {
			onRequestBody(req, ({ text, parsed }) => {
				this.received.push({ method: req.method, url: req.url, contentType: req.headers['content-type'], body: parsed });
				const step = this.steps[Math.min(this.received.length - 1, this.steps.length - 1)];
				step(req, res, text);
			});
		});
	}

	script(...steps: Step[]) {
		this.steps = steps;
	}

	async start() {
		this.port = await listenOnLoopback(this.server);
	}

	get url() {
		return `http://127.0.0.1:${this.port}${PATH}`;
	}

	async stop() {
		await closeServer(this.server);
	}
}

const json =
	(status: number, payload: unknown, headers: Record<string, string> = {}): Step =>
	(_req, res) => {
		res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
		res.end(JSON.stringify(payload));
	};
const text =
	(status: number, payload: string, headers: Record<string, string> = {}): Step =>
	(_req, res) => {
		res.writeHead(status, { 'Content-Type': 'text/plain', ...headers });
		res.end(payload);
	};
/** Closes the connection without answering: the client sees a reset / "other side closed". */
const drop: Step = (req) => {
	req.socket.destroy();
};
const slow =
	(ms: number, step: Step): Step =>
	(req, res, body) => {
		const timer = setTimeout(() => {
			if (!res.destroyed) step(req, res, body);
		}, ms);
		res.on('close', () => clearTimeout(timer));
	};

const body: CustomChannelMessage = {
	messageId: 'n8n-0123456789abcdef',
	content: 'Hello from our custom platform',
	sender: { id: 'user-123', name: 'John Doe' },
	timestamp: 1765440758023,
	type: 'text',
};

const policy = { maxRetries: 3, baseDelayMs: 1000, maxDelayMs: 30_000 };

/** Records the delays asked for and returns at once, so retry tests run fast but see the real schedule. */
function recordingSleep() {
	const delays: number[] = [];
	const sleep: Sleep = async (ms) => {
		delays.push(ms);
	};
	return { delays, sleep };
}

function expectNoSecret(value: unknown) {
	const serialized = typeof value === 'string' ? value : JSON.stringify(value) + String((value as Error)?.message ?? '');
	expect(serialized).not.toContain(SECRET_A);
	expect(serialized).not.toContain(SECRET_B);
}

async function sendExpectingError(promise: Promise<unknown>): Promise<CustomChannelSendError> {
	try {
		await promise;
	} catch (error) {
		expect(error).toBeInstanceOf(CustomChannelSendError);
		return error as CustomChannelSendError;
	}
	throw new Error('expected the send to fail');
}

describe('sendCustomChannelMessage against a local HTTP server', () => {
	let klink: FakeKlink;

	beforeEach(async () => {
		klink = new FakeKlink();
		await klink.start();
	});

	afterEach(async () => {
		await klink.stop();
	});

	it('POSTs the message as JSON once and returns klink’s JSON answer', async () => {
		klink.script(json(200, { ok: true, conversationId: 'conv-1' }));
		const { delays, sleep } = recordingSleep();
		const result = await sendCustomChannelMessage(fetchRequester, klink.url, body, policy, sleep);
		expect(result).toEqual({
			statusCode: 200,
			attempts: 1,
			response: { ok: true, conversationId: 'conv-1' },
			responseIsJson: true,
		});
		expect(klink.received).toEqual([{ method: 'POST', url: PATH, contentType: 'application/json', body }]);
		expect(delays).toEqual([]);
	});

	it('returns { statusCode, body } when the answer is not JSON', async () => {
		klink.script(text(202, 'accepted'));
		const result = await sendCustomChannelMessage(fetchRequester, klink.url, body, policy, recordingSleep().sleep);
		expect(result.response).toEqual({ statusCode: 202, body: 'accepted' });
		expect(result.responseIsJson).toBe(false);
	});

	it('retries 500, 502 and 503 with the same body and exponential delays, then succeeds', async () => {
		klink.script(text(500, 'oops'), text(502, 'bad gateway'), text(503, 'busy'), json(200, { ok: true }));
		const { delays, sleep } = recordingSleep();
		const result = await sendCustomChannelMessage(fetchRequester, klink.url, body, policy, sleep);
		expect(result.attempts).toBe(4);
		expect(delays).toEqual([1000, 2000, 4000]);
		expect(klink.received).toHaveLength(4);
		// Every attempt is the same message: klink can recognise the repeats by messageId.
		for (const request of klink.received) expect(request.body).toEqual(body);
	});

	it('honours Retry-After on 429, in seconds and as an HTTP date', async () => {
		const at = new Date(Date.now() + 20_000).toUTCString();
		klink.script(
			json(429, { error: 'slow down' }, { 'Retry-After': '5' }),
			json(429, { error: 'slow down' }, { 'Retry-After': at }),
			json(200, { ok: true }),
		);
		const { delays, sleep } = recordingSleep();
		const result = await sendCustomChannelMessage(fetchRequester, klink.url, body, policy, sleep);
		expect(result.attempts).toBe(3);
		expect(delays[0]).toBe(5000);
		// The date is read against the clock: about 20 s, never more (whole-second resolution of HTTP dates).
		expect(delays[1]).toBeGreaterThan(18_000);
		expect(delays[1]).toBeLessThanOrEqual(20_000);
	});

	it('waits for real between attempts (small delays, measured)', async () => {
		klink.script(text(503, 'busy'), text(503, 'busy'), json(200, { ok: true }));
		const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
		const started = Date.now();
		const result = await sendCustomChannelMessage(
			fetchRequester,
			klink.url,
			body,
			{ maxRetries: 3, baseDelayMs: 40, maxDelayMs: 1000 },
			realSleep,
		);
		const elapsed = Date.now() - started;
		expect(result.attempts).toBe(3);
		expect(elapsed).toBeGreaterThanOrEqual(40 + 80 - 5);
	});

	it('gives up after maxRetries and reports the last status and body', async () => {
		klink.script(json(500, { message: 'internal' }));
		const { delays, sleep } = recordingSleep();
		const error = await sendExpectingError(sendCustomChannelMessage(fetchRequester, klink.url, body, policy, sleep));
		expect(error).toMatchObject({ kind: 'http', statusCode: 500, attempts: 4, retryable: true });
		expect(error.message).toBe('klink.cloud answered HTTP 500 Internal Server Error after 4 attempts');
		expect(error.responseBody).toBe('{"message":"internal"}');
		expect(klink.received).toHaveLength(4);
		expect(delays).toEqual([1000, 2000, 4000]);
	});

	it.each([400, 401, 403, 404, 422])('never retries HTTP %i', async (status) => {
		klink.script(json(status, { error: 'no' }), json(200, { ok: true }));
		const { delays, sleep } = recordingSleep();
		const error = await sendExpectingError(sendCustomChannelMessage(fetchRequester, klink.url, body, policy, sleep));
		expect(error).toMatchObject({ kind: 'http', statusCode: status, attempts: 1, retryable: false });
		expect(klink.received).toHaveLength(1);
		expect(delays).toEqual([]);
	});

	it('retries a dropped connection', async () => {
		klink.script(drop, json(200, { ok: true }));
		const attempts: Array<string | undefined> = [];
		const result = await sendCustomChannelMessage(fetchRequester, klink.url, body, policy, recordingSleep().sleep, {
			onAttempt: (event) => attempts.push(event.networkErrorCode),
		});
		expect(result.attempts).toBe(2);
		expect(attempts).toHaveLength(1);
		expect(['UND_ERR_SOCKET', 'ECONNRESET']).toContain(attempts[0]);
		expect(klink.received).toHaveLength(2);
	});

	it('times out a slow answer and retries it', async () => {
		klink.script(slow(2000, json(200, { late: true })), json(200, { ok: true }));
		// The second answer, not the late first one: the first attempt was given up after 150 ms (no time limit
		// here, which a loaded machine could break).
		const result = await sendCustomChannelMessage(fetchRequester, klink.url, body, policy, recordingSleep().sleep, {
			timeoutMs: 150,
		});
		expect(result).toMatchObject({ attempts: 2, response: { ok: true } });
	});

	it('gives up on a server that keeps timing out, with a masked network error', async () => {
		klink.script(slow(2000, json(200, { late: true })));
		const error = await sendExpectingError(
			sendCustomChannelMessage(fetchRequester, klink.url, body, { ...policy, maxRetries: 1 }, recordingSleep().sleep, {
				timeoutMs: 100,
			}),
		);
		expect(error).toMatchObject({ kind: 'network', networkErrorCode: 'ETIMEDOUT', attempts: 2 });
		expect(error.message).toBe(`klink.cloud did not answer in time after 2 attempts (http://127.0.0.1:${klink.port}/custom-channel/***)`);
		expectNoSecret(error.message);
	});

	it('reports a refused connection after retrying, without the secret', async () => {
		const url = klink.url;
		await klink.stop();
		const { delays, sleep } = recordingSleep();
		const error = await sendExpectingError(sendCustomChannelMessage(fetchRequester, url, body, policy, sleep));
		expect(error).toMatchObject({ kind: 'network', networkErrorCode: 'ECONNREFUSED', attempts: 4 });
		expect(error.message).toBe(`klink.cloud refused the connection after 4 attempts (http://127.0.0.1:${klink.port}/custom-channel/***)`);
		expect(error.detail).toMatch(/^ECONNREFUSED: fetch failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
		expect(delays).toEqual([1000, 2000, 4000]);
		expectNoSecret(error.message);
		expectNoSecret(error.stack);
		klink = new FakeKlink(); // afterEach stops a fresh one
		await klink.start();
	});

	it('masks the URL when klink’s error page echoes it', async () => {
		klink.script((req, res) => {
			res.writeHead(404, { 'Content-Type': 'text/html' });
			res.end(`<pre>Cannot POST ${req.url}</pre> (full: http://127.0.0.1:${klink.port}${req.url})`);
		});
		const error = await sendExpectingError(
			sendCustomChannelMessage(fetchRequester, klink.url, body, policy, recordingSleep().sleep),
		);
		expect(error.responseBody).toContain('Cannot POST /custom-channel/***');
		expectNoSecret(error.responseBody);
		expectNoSecret(error);
	});

	it('masks the URL in a successful answer too', async () => {
		klink.script((req, res) => {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ ok: true, echo: `http://127.0.0.1:${klink.port}${req.url}` }));
		});
		const result = await sendCustomChannelMessage(fetchRequester, klink.url, body, policy, recordingSleep().sleep);
		expect(result.response).toEqual({ ok: true, echo: `http://127.0.0.1:${klink.port}/custom-channel/***` });
	});

	it('stops retrying when the execution is cancelled', async () => {
		klink.script(text(503, 'busy'));
		let cancelled = false;
		const sleep: Sleep = async () => {
			cancelled = true;
		};
		const error = await sendExpectingError(
			sendCustomChannelMessage(fetchRequester, klink.url, body, policy, sleep, { isCancelled: () => cancelled }),
		);
		expect(error).toMatchObject({ kind: 'cancelled', attempts: 1 });
		expect(klink.received).toHaveLength(1);
	});
});

describe('sendCustomChannelMessage with an unusual requester', () => {
	it('treats a requester that resolves without a status as a failed, non-retried attempt', async () => {
		const broken = (async () => ({ nope: true })) as unknown as HttpRequester;
		const error = await sendExpectingError(
			sendCustomChannelMessage(broken, 'https://me.klink.cloud' + PATH, body, policy, recordingSleep().sleep),
		);
		expect(error).toMatchObject({ kind: 'network', networkErrorCode: 'EBADRESPONSE', attempts: 1 });
	});

	it('masks a secret that the HTTP client put into its own error message', async () => {
		const url = 'https://me.klink.cloud' + PATH;
		const leaky: HttpRequester = async () => {
			throw Object.assign(new Error(`connect ECONNRESET while posting to ${url}`), { code: 'ECONNRESET', config: { url } });
		};
		const error = await sendExpectingError(sendCustomChannelMessage(leaky, url, body, { ...policy, maxRetries: 0 }, recordingSleep().sleep));
		expect(error.message).toBe('The connection to klink.cloud closed before it answered (https://me.klink.cloud/custom-channel/***)');
		expect(error.detail).toBe('ECONNRESET: connect ECONNRESET while posting to https://me.klink.cloud/custom-channel/***');
		expectNoSecret(error.message);
		expectNoSecret(error.detail);
		expect(Object.keys(error)).not.toContain('config');
	});
});

describe('networkErrorCodeOf', () => {
	it.each([
		['a Node error code', Object.assign(new Error('x'), { code: 'ECONNRESET' }), 'ECONNRESET'],
		['a code nested in cause (fetch)', new TypeError('fetch failed', { cause: { code: 'UND_ERR_SOCKET' } }), 'UND_ERR_SOCKET'],
		['a timeout by name', Object.assign(new Error('t'), { name: 'TimeoutError' }), 'ETIMEDOUT'],
		['an abort by name', Object.assign(new Error('a'), { name: 'AbortError' }), 'ABORT_ERR'],
		['axios "socket hang up"', new Error('socket hang up'), 'ECONNRESET'],
		['axios timeout message', new Error('timeout of 100ms exceeded'), 'ETIMEDOUT'],
		['nothing recognisable', new Error('weird'), undefined],
		['not an error', 'string', undefined],
	])('reads %s', (_label, error, code) => {
		expect(networkErrorCodeOf(error)).toBe(code);
	});
});
