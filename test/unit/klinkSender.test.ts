import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendLikeKlink } from '../e2e/harness/klinkSender';

/** The e2e suites' stand-in for klink's sender: its schedule, against a local server that answers as told. */
describe('sendLikeKlink', () => {
	let server: Server;
	let url: string;
	/** Per delivery (the body), the times its attempts arrived, and from which attempt on it gets a 200. */
	const arrivals = new Map<string, number[]>();
	const answerFrom = new Map<string, number>();

	beforeAll(async () => {
		server = createServer((request, response) => {
			let body = '';
			request.on('data', (chunk: Buffer) => (body += chunk.toString()));
			request.on('end', () => {
				const seen = arrivals.get(body) ?? [];
				seen.push(Date.now());
				arrivals.set(body, seen);
				response.writeHead(seen.length >= (answerFrom.get(body) ?? Infinity) ? 200 : 503).end('{}');
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
	});

	afterAll(async () => await new Promise<void>((resolve) => server.close(() => resolve())));

	it('sends an event its quick attempts left unanswered again at each late time, not before, and stops at a 2xx', async () => {
		answerFrom.set('never', Infinity);
		answerFrom.set('at the first late attempt', 3);
		answerFrom.set('at once', 1);
		const deliveries = ['never', 'at the first late attempt', 'at once'].map((body) => ({ body, signature: 'sig' }));
		const outcomes = await sendLikeKlink(deliveries, { inFlight: 3, urlFor: () => url, retryDelayMs: 20, maxAttempts: 2, lateAttemptsMs: [600, 900] });

		expect(outcomes.map((outcome) => outcome.attempts)).toEqual([[503, 503, 503, 503], [503, 503, 200], [200]]);
		const never = arrivals.get('never') ?? [];
		// Measured where the attempts arrive, so less the first one's connection time (a few tens of ms).
		const sinceFirst = never.map((at) => at - never[0]);
		expect(sinceFirst[1]).toBeLessThan(500);
		expect(sinceFirst[2]).toBeGreaterThanOrEqual(500);
		expect(sinceFirst[3] - sinceFirst[2]).toBeGreaterThanOrEqual(200);
	});
});
