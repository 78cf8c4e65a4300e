import { maskSecretUrl, describeSecretUrl } from './maskUrl';
import type { CustomChannelMessage } from './messageSchema';
import { decideRetry, type RetryDecision, type RetryPolicy } from './retryPolicy';

/** One POST, as the transport asks for it. The requester serializes `body` as JSON. */
export interface HttpRequest {
	method: 'POST';
	url: string;
	headers: Record<string, string>;
	body: CustomChannelMessage;
	/** Give up on this attempt after this many milliseconds (connect, send and answer together). */
	timeoutMs: number;
}

/** Whatever the server answered, any status. Header names in lower case. */
export interface HttpResponse {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	/** The body as text, '' when empty. */
	body: string;
}

/**
 * Sends one request. Resolves with the response whatever its status; rejects only when no response
 * arrived (refused, reset, timed out ...), ideally with an error carrying a Node-style `code`
 * (`error.code` or `error.cause.code`).
 */
export type HttpRequester = (request: HttpRequest) => Promise<HttpResponse>;

export type Sleep = (ms: number) => Promise<void>;

export interface AttemptEvent {
	attempt: number;
	statusCode?: number;
	networkErrorCode?: string;
	decision: RetryDecision;
}

export interface SendOptions {
	/** Per-attempt timeout in milliseconds. Default 30 000. */
	timeoutMs?: number;
	/** Clock for Retry-After dates. Default Date.now. */
	now?: () => number;
	/** Checked before every retry: true stops retrying (the execution was cancelled). */
	isCancelled?: () => boolean;
	/** Called after every failed attempt with what was decided; for logs. Contains no secret. */
	onAttempt?: (event: AttemptEvent) => void;
}

export interface SendResult {
	statusCode: number;
	/** How many requests it took (1 when the first one succeeded). */
	attempts: number;
	/** klink's answer: the parsed JSON, or `{ statusCode, body }` with the text when it is not JSON. */
	response: unknown;
	responseIsJson: boolean;
}

export type SendErrorKind = 'http' | 'network' | 'cancelled';

/** A message that could not be delivered. Its message and fields never contain the inbound URL. */
export class CustomChannelSendError extends Error {
	readonly kind: SendErrorKind;
	readonly attempts: number;
	readonly statusCode?: number;
	readonly networkErrorCode?: string;
	/** The response body (masked, at most MAX_ERROR_BODY_LENGTH characters), for HTTP errors. */
	readonly responseBody?: string;
	/** Technical detail of a network failure: the error code and the HTTP client's message, masked. */
	readonly detail?: string;
	/** Whether the last failure was of a retryable kind (so retries ran out rather than being skipped). */
	readonly retryable: boolean;

	constructor(
		message: string,
		details: {
			kind: SendErrorKind;
			attempts: number;
			statusCode?: number;
			networkErrorCode?: string;
			responseBody?: string;
			detail?: string;
			retryable: boolean;
		},
	) {
		super(message);
		this.name = 'CustomChannelSendError';
		this.kind = details.kind;
		this.attempts = details.attempts;
		this.statusCode = details.statusCode;
		this.networkErrorCode = details.networkErrorCode;
		this.responseBody = details.responseBody;
		this.detail = details.detail;
		this.retryable = details.retryable;
	}
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const MAX_ERROR_BODY_LENGTH = 2000;

const STATUS_TEXT: Record<number, string> = {
	400: 'Bad Request',
	401: 'Unauthorized',
	403: 'Forbidden',
	404: 'Not Found',
	405: 'Method Not Allowed',
	408: 'Request Timeout',
	409: 'Conflict',
	410: 'Gone',
	413: 'Payload Too Large',
	415: 'Unsupported Media Type',
	422: 'Unprocessable Entity',
	429: 'Too Many Requests',
	500: 'Internal Server Error',
	502: 'Bad Gateway',
	503: 'Service Unavailable',
	504: 'Gateway Timeout',
};

function readCode(value: unknown): string | undefined {
	if (!value || typeof value !== 'object') return undefined;
	const code = (value as { code?: unknown }).code;
	return typeof code === 'string' && code ? code.toUpperCase() : undefined;
}

function readString(value: unknown, key: 'message' | 'name'): string {
	if (!value || typeof value !== 'object') return '';
	const text = (value as Record<string, unknown>)[key];
	return typeof text === 'string' ? text : '';
}

/**
 * The Node-style code of a failed request, from the error or its causes (Node's fetch nests it in
 * `cause`), or from well-known messages and error names when there is no code.
 */
export function networkErrorCodeOf(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 4 && current; depth += 1) {
		const code = readCode(current);
		if (code) return code;
		const name = readString(current, 'name');
		if (name === 'TimeoutError') return 'ETIMEDOUT';
		if (name === 'AbortError') return 'ABORT_ERR';
		current = (current as { cause?: unknown }).cause;
	}
	const message = readString(error, 'message');
	if (/socket hang up/i.test(message)) return 'ECONNRESET';
	if (/timeout of \d+ ?ms exceeded|timed? ?out/i.test(message)) return 'ETIMEDOUT';
	return undefined;
}

function networkErrorDetail(error: unknown): string {
	const parts: string[] = [];
	let current: unknown = error;
	for (let depth = 0; depth < 4 && current; depth += 1) {
		const message = readString(current, 'message');
		if (message && !parts.includes(message)) parts.push(message);
		current = (current as { cause?: unknown }).cause;
	}
	if (parts.length === 0 && typeof error === 'string') parts.push(error);
	return parts.join(': ');
}

function headerValue(headers: HttpResponse['headers'] | undefined, name: string): string | string[] | undefined {
	if (!headers) return undefined;
	const direct = headers[name];
	if (direct !== undefined) return direct;
	const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
	return key === undefined ? undefined : headers[key];
}

function isResponse(value: unknown): value is HttpResponse {
	return (
		!!value &&
		typeof value === 'object' &&
		typeof (value as HttpResponse).statusCode === 'number' &&
		Number.isInteger((value as HttpResponse).statusCode)
	);
}

/** klink's answer: JSON when the text is a JSON object or array, otherwise `{ statusCode, body }`. */
export function readAnswer(statusCode: number, text: string): { value: unknown; isJson: boolean } {
	const trimmed = text.trim();
	if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
		try {
			return { value: JSON.parse(trimmed) as unknown, isJson: true };
		} catch {
			// Not JSON after all: fall through to text.
		}
	}
	return { value: { statusCode, body: text }, isJson: false };
}

function describeStatus(statusCode: number): string {
	const text = STATUS_TEXT[statusCode];
	return text ? `${statusCode} ${text}` : String(statusCode);
}

/**
 * A network failure in words. Deliberately without the error code: n8n replaces any error message that
 * contains a code like ECONNREFUSED with a generic sentence, which would lose the item and the attempts.
 * The code is kept in `networkErrorCode` and `detail`.
 */
export function describeNetworkFailure(code: string | undefined): string {
	switch (code) {
		case 'ECONNREFUSED':
			return 'klink.cloud refused the connection';
		case 'ECONNRESET':
		case 'EPIPE':
		case 'UND_ERR_SOCKET':
		case 'SOCKET_HANG_UP':
			return 'The connection to klink.cloud closed before it answered';
		case 'ETIMEDOUT':
		case 'ECONNABORTED':
		case 'ESOCKETTIMEDOUT':
		case 'TIMEOUT':
		case 'ERR_SOCKET_CONNECTION_TIMEOUT':
		case 'UND_ERR_CONNECT_TIMEOUT':
		case 'UND_ERR_HEADERS_TIMEOUT':
		case 'UND_ERR_BODY_TIMEOUT':
			return 'klink.cloud did not answer in time';
		case 'ENOTFOUND':
		case 'EAI_AGAIN':
			return 'The host name of the inbound webhook URL could not be resolved';
		case 'EHOSTUNREACH':
		case 'ENETUNREACH':
		case 'ENETDOWN':
			return 'klink.cloud cannot be reached from this network';
		case 'ABORT_ERR':
		case 'ERR_CANCELED':
			return 'The request to klink.cloud was cancelled';
		default:
			return 'The request to klink.cloud failed';
	}
}

function attemptsSuffix(attempts: number): string {
	return attempts > 1 ? ` after ${attempts} attempts` : '';
}

/**
 * POSTs one message to the Custom Channel inbound webhook, retrying as `policy` and `decideRetry` say
 * (429, 5xx and network failures only; never another 4xx), and waiting with `sleep` between attempts.
 *
 * Every attempt sends the very same body, with the same `messageId`; klink recognises repeats by that id,
 * so a retry (even after a timeout, when the first attempt may have arrived) cannot create a second message.
 *
 * Resolves with the 2xx answer; rejects with a CustomChannelSendError whose text never contains `url`.
 */
export async function sendCustomChannelMessage(
	request: HttpRequester,
	url: string,
	body: CustomChannelMessage,
	policy: Partial<RetryPolicy>,
	sleep: Sleep,
	options: SendOptions = {},
): Promise<SendResult> {
	const now = options.now ?? Date.now;
	const timeoutMs = options.timeoutMs && options.timeoutMs > 0 ? options.timeoutMs : DEFAULT_TIMEOUT_MS;
	const mask = (text: unknown) => maskSecretUrl(text, url);

	for (let attempt = 1; ; attempt += 1) {
		let response: HttpResponse | undefined;
		let failure: unknown;
		let threw = false;
		try {
			const answer: unknown = await request({
				method: 'POST',
				url,
				headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
				body,
				timeoutMs,
			});
			if (isResponse(answer)) response = answer;
			else {
				threw = true;
				failure = { code: 'EBADRESPONSE', message: 'the HTTP client returned no status code' };
			}
		} catch (error) {
			threw = true;
			failure = error;
		}

		if (response && response.statusCode >= 200 && response.statusCode <= 299) {
			const answer = readAnswer(response.statusCode, mask(response.body ?? ''));
			return { statusCode: response.statusCode, attempts: attempt, response: answer.value, responseIsJson: answer.isJson };
		}

		const networkErrorCode = threw ? (networkErrorCodeOf(failure) ?? 'UNKNOWN') : undefined;
		const decision = decideRetry(
			{
				attempt,
				statusCode: response?.statusCode,
				networkErrorCode,
				retryAfterHeader: headerValue(response?.headers, 'retry-after'),
				now: now(),
			},
			policy,
		);
		options.onAttempt?.({ attempt, statusCode: response?.statusCode, networkErrorCode, decision });

		if (!decision.retry) {
			if (response) {
				const responseBody = mask(response.body ?? '').slice(0, MAX_ERROR_BODY_LENGTH);
				throw new CustomChannelSendError(
					`klink.cloud answered HTTP ${describeStatus(response.statusCode)}${attemptsSuffix(attempt)}`,
					{
						kind: 'http',
						attempts: attempt,
						statusCode: response.statusCode,
						responseBody,
						retryable: decision.transient,
					},
				);
			}
			const detail = mask(networkErrorDetail(failure)).slice(0, 300);
			throw new CustomChannelSendError(
				`${describeNetworkFailure(networkErrorCode)}${attemptsSuffix(attempt)} (${describeSecretUrl(url)})`,
				{
					kind: 'network',
					attempts: attempt,
					networkErrorCode,
					detail: `${networkErrorCode}${detail && detail.toUpperCase() !== networkErrorCode ? `: ${detail}` : ''}`,
					retryable: decision.transient,
				},
			);
		}

		await sleep(decision.delayMs);
		if (options.isCancelled?.()) {
			throw new CustomChannelSendError(`Sending was cancelled after ${attempt} attempt${attempt === 1 ? '' : 's'}`, {
				kind: 'cancelled',
				attempts: attempt,
				statusCode: response?.statusCode,
				networkErrorCode,
				retryable: true,
			});
		}
	}
}
