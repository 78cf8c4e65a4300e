import { sleep, type IWebhookFunctions } from 'n8n-workflow';

type Response = ReturnType<IWebhookFunctions['getResponseObject']>;

/** klink waits 10 s for an answer; a retry waiting on the first delivery answers well before that. */
export const IN_FLIGHT_WAIT_MS = 8000;
/** How long n8n may still answer a request whose sender has gone (klink's 10 s timeout, say). */
const LATE_ANSWER_WAIT_MS = 60_000;
const LATE_ANSWER_POLL_MS = 250;

/**
 * Resolves with whether n8n answered this request with a 2xx, once it has. On n8n 2.x that answer goes out
 * after the execution is stored (a 500 if that failed); on 1.x where n8n answers its Webhook node. If the
 * sender hangs up first, n8n still answers into the closed connection when it is done, so that is waited for.
 */
export async function answeredWith2xx(res: Response): Promise<boolean> {
	return await new Promise<boolean>((resolve) => {
		const answered = () => resolve(res.statusCode >= 200 && res.statusCode < 300);
		const closed = () => {
			// Into a closed connection nothing is sent (headersSent stays false), but the answer still ends the
			// response with its status set.
			if (res.writableEnded) return answered();
			void (async () => {
				for (let waited = 0; waited < LATE_ANSWER_WAIT_MS; waited += LATE_ANSWER_POLL_MS) {
					await sleep(LATE_ANSWER_POLL_MS);
					if (res.writableEnded) return answered();
				}
				resolve(false);
			})();
		};
		if (res.writableFinished) return answered();
		// The sender may have hung up while the request waited in n8n: 'close' was emitted before anyone listened.
		if (senderHungUp(res)) return closed();
		res.once('finish', answered);
		res.once('close', closed);
	});
}

/** Whether the sender has closed the connection: no answer can reach it, and klink counts the delivery failed. */
export function senderHungUp(res: Response): boolean {
	return res.destroyed || !res.socket || res.socket.destroyed;
}

/** A retry of an event another n8n process is starting: answered 503, so that klink sends it again later. */
export function answerClaimedElsewhere(res: Response): void {
	res.status(503).json({ error: 'Service Unavailable', reason: 'another n8n process is starting this event; send it again' });
}

/**
 * Answers a retry that arrived while the first delivery of the same event is still being started: as a
 * duplicate once that one was started, otherwise with a 503 so that klink sends it again (never a 2xx for an
 * event that may not have run).
 */
export function answerAfterFirstDelivery(res: Response, firstDelivery: Promise<boolean>, duplicateAnswer: object): void {
	void Promise.race([firstDelivery, sleep(IN_FLIGHT_WAIT_MS).then(() => undefined)]).then((started) => {
		if (started === true) res.status(200).json(duplicateAnswer);
		else
			res.status(503).json({
				error: 'Service Unavailable',
				reason: started === false ? 'the first delivery of this event failed; send it again' : 'the first delivery of this event is still being started; send it again',
			});
	});
}
