import nock from 'nock';

export interface RecordedCall {
	method: string;
	url: string;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
}

/**
 * Internet services a workflow calls (Microsoft Graph, Slack, a CRM), answered in this process by nock:
 * every request to `origin` is recorded and answered with `reply`. Nothing leaves the machine: the
 * network is closed except for 127.0.0.1, where the tests' own stand-ins listen.
 */
export class ExternalService {
	readonly calls: RecordedCall[] = [];
	private readonly interceptors: nock.Interceptor[] = [];

	constructor(
		readonly origin: string,
		reply: (call: RecordedCall) => { status: number; body: unknown },
	) {
		const calls = this.calls;
		const scope = nock(origin).persist();
		for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
			const interceptor = scope.intercept(/.*/, method);
			this.interceptors.push(interceptor);
			interceptor.reply(function (this: nock.ReplyFnContext, uri, body) {
				const call: RecordedCall = {
					method: this.req.method,
					url: `${origin}${uri}`,
					headers: this.req.headers,
					body: typeof body === 'string' && body.startsWith('{') ? JSON.parse(body) : body,
				};
				calls.push(call);
				const answer = reply(call);
				return [answer.status, answer.body as nock.Body];
			});
		}
	}

	/** Stops answering, so that a later service at the same origin records its own calls. */
	stop(): void {
		for (const interceptor of this.interceptors) nock.removeInterceptor(interceptor);
	}
}

/** Closes the network to everything but loopback for the calling test file, and clears nock afterwards. */
export function onlyLoopbackAndStandIns(): void {
	beforeAll(() => {
		nock.disableNetConnect();
		nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
	});
	afterAll(() => {
		nock.cleanAll();
		nock.enableNetConnect();
		// nock patches Node's http modules, which outlive this test file in the jest worker.
		nock.restore();
	});
}
