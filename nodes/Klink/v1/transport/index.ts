import { sleep, type IDataObject, type IExecuteFunctions, type IN8nHttpFullResponse } from 'n8n-workflow';

import type { HttpRequester, HttpResponse, Sleep } from '../../../shared/customChannel/sendMessage';

/**
 * Adapters from the pure Custom Channel transport (nodes/shared/customChannel) to n8n: requests go through
 * n8n's own HTTP helper (its proxy, SSRF and TLS settings apply), waits through n8n-workflow's `sleep`.
 */

function bodyText(body: unknown): string {
	if (body === undefined || body === null) return '';
	if (typeof body === 'string') return body;
	if (Buffer.isBuffer(body)) return body.toString('utf8');
	if (body instanceof ArrayBuffer) return Buffer.from(body).toString('utf8');
	if (typeof body === 'object' && typeof (body as { pipe?: unknown }).pipe === 'function') return '';
	try {
		return JSON.stringify(body);
	} catch {
		return String(body);
	}
}

function headerMap(headers: IDataObject | undefined): HttpResponse['headers'] {
	const result: HttpResponse['headers'] = {};
	if (!headers) return result;
	for (const [name, value] of Object.entries(headers)) {
		if (typeof value === 'string') result[name.toLowerCase()] = value;
		else if (Array.isArray(value)) result[name.toLowerCase()] = value.map(String);
		else if (typeof value === 'number') result[name.toLowerCase()] = String(value);
	}
	return result;
}

/**
 * A requester on `this.helpers.httpRequest`. Status errors are not thrown (`ignoreHttpStatusErrors`) so that
 * our own retry policy sees every status; the answer is read as text and parsed by the transport. There is
 * no authentication header: the inbound URL itself is the secret. A rejection (network failure) is passed on
 * as is; the transport reads only its code and masked message, never its config (which holds the URL).
 */
export function n8nHttpRequester(context: IExecuteFunctions): HttpRequester {
	return async ({ method, url, headers, body, timeoutMs }) => {
		const abortSignal = context.getExecutionCancelSignal?.();
		const response = (await context.helpers.httpRequest({
			method,
			url,
			headers,
			body,
			json: true,
			encoding: 'text',
			timeout: timeoutMs,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			...(abortSignal ? { abortSignal } : {}),
		})) as IN8nHttpFullResponse;
		return {
			statusCode: response.statusCode,
			headers: headerMap(response.headers),
			body: bodyText(response.body),
		};
	};
}

/**
 * n8n-workflow's `sleep`, cut short when the execution is cancelled (the transport then stops retrying).
 */
export function cancellableSleep(context: IExecuteFunctions): Sleep {
	return async (ms) => {
		const signal = context.getExecutionCancelSignal?.();
		if (!signal) {
			await sleep(ms);
			return;
		}
		if (signal.aborted) return;
		let onAbort: (() => void) | undefined;
		const aborted = new Promise<void>((resolve) => {
			onAbort = () => resolve();
			signal.addEventListener('abort', onAbort, { once: true });
		});
		try {
			await Promise.race([sleep(ms), aborted]);
		} finally {
			if (onAbort) signal.removeEventListener('abort', onAbort);
		}
	};
}

export function isCancelled(context: IExecuteFunctions): () => boolean {
	return () => context.getExecutionCancelSignal?.()?.aborted ?? false;
}
