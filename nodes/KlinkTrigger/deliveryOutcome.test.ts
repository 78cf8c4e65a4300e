import express, { type Response } from 'express';
import { request, type IncomingMessage } from 'http';
import type { AddressInfo } from 'net';

import { answerAfterFirstDelivery, answeredWith2xx, IN_FLIGHT_WAIT_MS } from './deliveryOutcome';

/**
 * Runs on a real HTTP server: what counts is how Node's response object reports an answer, including one
 * written after the sender hung up (as n8n does when storing an execution outlasts klink's 10 s timeout).
 */
type Handler = (res: Response) => void;

async function withServer(handler: Handler, run: (port: number) => Promise<void>): Promise<void> {
	const app = express();
	app.post('/', (_req, res) => handler(res));
	const server = app.listen(0, '127.0.0.1');
	await new Promise((resolve) => server.once('listening', resolve));
	try {
		await run((server.address() as AddressInfo).port);
	} finally {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	}
}

function post(port: number, abortAfterMs?: number): Promise<{ status: number; body: string } | 'aborted'> {
	return new Promise((resolve, reject) => {
		const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/' }, (res: IncomingMessage) => {
			let body = '';
			res.on('data', (chunk) => (body += chunk));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
		});
		req.on('error', (error) => (abortAfterMs === undefined ? reject(error) : resolve('aborted')));
		if (abortAfterMs !== undefined) setTimeout(() => req.destroy(), abortAfterMs);
		req.end('{}');
	});
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('answeredWith2xx', () => {
	it('is true once a 2xx went out, false for a 500', async () => {
		for (const status of [200, 204, 500]) {
			let outcome: Promise<boolean> | undefined;
			await withServer(
				(res) => {
					outcome = answeredWith2xx(res);
					res.status(status).end();
				},
				async (port) => {
					expect((await post(port)) as { status: number }).toMatchObject({ status });
				},
			);
			expect(await outcome).toBe(status < 300);
		}
	});

	it('waits for an answer written after the sender hung up, and reports what it was', async () => {
		let outcome: Promise<boolean> | undefined;
		let settledEarly = false;
		await withServer(
			(res) => {
				outcome = answeredWith2xx(res);
				void outcome.then(() => (settledEarly = true));
				// n8n still storing the execution when the sender gives up; it answers afterwards.
				setTimeout(() => res.status(200).json({ started: true }), 400);
			},
			async (port) => {
				expect(await post(port, 100)).toBe('aborted');
				await sleep(200);
				expect(settledEarly).toBe(false);
				await sleep(700);
			},
		);
		expect(await outcome).toBe(true);
	});

	it.each([
		[200, true],
		[500, false],
	])('settles when the sender had hung up before it was asked (n8n reached the event late), answer %s', async (status, expected) => {
		let outcome: Promise<boolean> | undefined;
		await withServer(
			(res) => {
				// The request waited in n8n past the sender's timeout: the connection is gone before the trigger runs.
				setTimeout(() => {
					outcome = answeredWith2xx(res);
					setTimeout(() => res.status(status).end(), 100);
				}, 300);
			},
			async (port) => {
				expect(await post(port, 100)).toBe('aborted');
				await sleep(900);
			},
		);
		expect(await Promise.race([outcome, sleep(2000).then(() => 'never settled')])).toBe(expected);
	});
});

describe('answerAfterFirstDelivery', () => {
	const duplicate = { received: true, started: false, reason: 'duplicate delivery' };

	it('answers a retry as a duplicate once the first delivery was started', async () => {
		await withServer(
			(res) => answerAfterFirstDelivery(res, sleep(100).then(() => true), duplicate),
			async (port) => {
				const answer = (await post(port)) as { status: number; body: string };
				expect({ status: answer.status, body: JSON.parse(answer.body) }).toEqual({ status: 200, body: duplicate });
			},
		);
	});

	it('answers 503, never a 2xx, at once when the first delivery failed, after the wait while it is still going', async () => {
		const cases = [
			{ first: Promise.resolve(false), atLeastMs: 0, underMs: IN_FLIGHT_WAIT_MS / 2 },
			{ first: new Promise<boolean>(() => undefined), atLeastMs: IN_FLIGHT_WAIT_MS - 50, underMs: 10_000 },
		];
		for (const { first, atLeastMs, underMs } of cases) {
			const sent = Date.now();
			await withServer(
				(res) => answerAfterFirstDelivery(res, first, duplicate),
				async (port) => {
					const answer = (await post(port)) as { status: number; body: string };
					expect(answer.status).toBe(503);
					expect(JSON.parse(answer.body).reason).toMatch(/send it again/);
				},
			);
			const took = Date.now() - sent;
			expect(took).toBeGreaterThanOrEqual(atLeastMs);
			expect(took).toBeLessThan(underMs);
		}
	}, 20_000);
});
