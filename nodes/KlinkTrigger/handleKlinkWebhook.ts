import { NodeOperationError, type IDataObject, type IWebhookFunctions, type IWebhookResponseData } from 'n8n-workflow';

import { checkBasicAuth, checkHeaderAuth, type AuthResult } from '../shared/auth/requestAuth';
import { DEFAULT_DEDUPE_WINDOW_MS, eventKey, MIN_DEDUPE_WINDOW_MS } from '../shared/events/dedupe';
import { DEFAULT_DEDUPE_MAX_KEYS } from '../shared/events/seenRecord';
import { matchesFilters, splitList, type EventFilters, type RoomFilter } from '../shared/events/filters';
import { EventBodyError, readKlinkEvent } from '../shared/events/klinkEvent';
import { redactHeaders } from '../shared/events/redactHeaders';
import type { RequestHeaders } from '../shared/http/requestHeaders';
import { simplifyEvent } from '../shared/events/simplifyEvent';
import { BodyNotJsonError, normalizeBody } from '../shared/signature/normalizeBody';
import { signedUrlCandidates } from '../shared/signature/signedUrlCandidates';
import { parseSignatureHeader, verifyKlinkSignature } from '../shared/signature/verifySignature';
import { answerFlushRequest, isDuplicateDelivery } from './seenEventsStore';

type Authentication = 'klinkSignature' | 'headerAuth' | 'basicAuth' | 'none';

interface TriggerOptions {
	deduplicate?: boolean;
	dedupeWindowMinutes?: number;
	includeRaw?: boolean;
	signedUrl?: string;
}

interface FilterParameters {
	channels?: string[];
	otherChannels?: string;
	minUnreadCount?: number;
	direction?: 'any' | 'incoming' | 'outgoing';
	groupChats?: RoomFilter;
	aiAgentRooms?: RoomFilter;
	keywords?: string;
}

interface ReceivedRequest {
	method: string;
	headers: RequestHeaders;
	rawQuery: string;
	rawBody: Buffer;
	body: unknown;
	/** Headers that carry a credential, kept out of the item when raw headers are included. */
	secretHeaders: string[];
}

/** Genuine requests always get a 2xx (klink deactivates endpoints that fail); others get this and nothing runs. */
function reject(context: IWebhookFunctions, status: 400 | 401, reason: string): IWebhookResponseData {
	// One line, no secret, no body: enough to see why klink's deliveries fail.
	context.logger.warn(`Klink Trigger "${context.getNode().name}": rejected a request with ${status}: ${reason}`);
	context.getResponseObject().status(status).json({ error: status === 401 ? 'Unauthorized' : 'Bad Request' });
	return { noWebhookResponse: true };
}

async function readRequest(context: IWebhookFunctions): Promise<ReceivedRequest> {
	const req = context.getRequestObject() as ReturnType<IWebhookFunctions['getRequestObject']> & {
		rawBody?: Buffer;
		readRawBody?: () => Promise<void>;
	};
	if (!Buffer.isBuffer(req.rawBody) && typeof req.readRawBody === 'function') await req.readRawBody();
	const rawBody = Buffer.isBuffer(req.rawBody) ? req.rawBody : Buffer.alloc(0);
	const url = req.originalUrl ?? req.url ?? '';
	const queryStart = url.indexOf('?');
	return {
		method: req.method ?? 'POST',
		headers: req.headers as RequestHeaders,
		rawQuery: queryStart === -1 ? '' : url.slice(queryStart + 1),
		rawBody,
		body: req.body,
		secretHeaders: [],
	};
}

async function authenticate(
	context: IWebhookFunctions,
	authentication: Authentication,
	request: ReceivedRequest,
	options: TriggerOptions,
): Promise<AuthResult> {
	if (authentication === 'none') return { ok: true };
	if (authentication === 'headerAuth') {
		const credential = await context.getCredentials('klinkHeaderAuthApi');
		const headerName = String(credential.name ?? '');
		request.secretHeaders.push(headerName);
		return checkHeaderAuth(request.headers, headerName, String(credential.value ?? ''));
	}
	if (authentication === 'basicAuth') {
		const credential = await context.getCredentials('klinkBasicAuthApi');
		return checkBasicAuth(request.headers, String(credential.user ?? ''), String(credential.password ?? ''));
	}

	const signature = parseSignatureHeader(request.headers);
	if (!signature) return { ok: false, reason: 'missing or malformed x-signature header' };
	const credential = await context.getCredentials('klinkSignatureApi');
	const secrets = [credential.signatureSecret, credential.previousSignatureSecret]
		.map((secret) => (typeof secret === 'string' ? secret : ''))
		.filter((secret) => secret !== '');
	if (secrets.length === 0) return { ok: false, reason: 'the Klink Signature credential has no secret' };

	const result = verifyKlinkSignature({
		method: request.method,
		signedUrls: signedUrlCandidates(context.getNodeWebhookUrl('default') ?? '', request.rawQuery, options.signedUrl),
		rawQuery: request.rawQuery,
		rawBody: request.rawBody,
		signature,
		secrets,
	});
	return result.valid ? { ok: true } : { ok: false, reason: result.reason };
}

function readFilters(context: IWebhookFunctions): EventFilters {
	const events = context.getNodeParameter('events', []) as string[];
	const filters = context.getNodeParameter('filters', {}) as FilterParameters;
	return {
		events,
		channels: [...(filters.channels ?? []), ...splitList(filters.otherChannels)],
		minUnreadCount: filters.minUnreadCount,
		direction: filters.direction,
		groupChats: filters.groupChats,
		aiAgentRooms: filters.aiAgentRooms,
		keywords: splitList(filters.keywords),
	};
}

function decodeBody(request: ReceivedRequest): unknown {
	if (typeof request.body === 'object' && request.body !== null && !Buffer.isBuffer(request.body)) {
		return request.body;
	}
	return JSON.parse(request.rawBody.toString('utf8')) as unknown;
}

/** The body as Go normalizes it, for hashing; the raw bytes for a body only JavaScript accepts (too deep). */
function normalizedOrRaw(context: IWebhookFunctions, rawBody: Buffer): Buffer {
	try {
		return normalizeBody(rawBody)[0] ?? rawBody;
	} catch (error) {
		if (error instanceof BodyNotJsonError) return rawBody;
		throw new NodeOperationError(context.getNode(), error as Error);
	}
}

export async function handleKlinkWebhook(context: IWebhookFunctions): Promise<IWebhookResponseData> {
	const flushed = answerFlushRequest(context);
	if (flushed) return flushed;
	const authentication = context.getNodeParameter('authentication', 'klinkSignature') as Authentication;
	const options = context.getNodeParameter('options', {}) as TriggerOptions;
	const request = await readRequest(context);

	const auth = await authenticate(context, authentication, request, options);
	if (!auth.ok) return reject(context, 401, auth.reason);

	let view;
	let body: unknown;
	try {
		body = decodeBody(request);
		view = readKlinkEvent(body);
	} catch (error) {
		const reason = error instanceof EventBodyError ? error.message : 'body is not valid JSON';
		return reject(context, 400, reason);
	}

	const filterResult = matchesFilters(view, readFilters(context));
	if (!filterResult.matched) {
		return { webhookResponse: { received: true, started: false, reason: filterResult.reason } };
	}

	if (options.deduplicate !== false) {
		const key = eventKey(view, () => normalizedOrRaw(context, request.rawBody));
		const windowMs = Math.max(MIN_DEDUPE_WINDOW_MS, (options.dedupeWindowMinutes ?? 0) * 60_000 || DEFAULT_DEDUPE_WINDOW_MS);
		if (isDuplicateDelivery(context, key, { windowMs, maxKeys: DEFAULT_DEDUPE_MAX_KEYS })) {
			return { webhookResponse: { received: true, started: false, reason: 'duplicate delivery' } };
		}
	}

	const json: IDataObject = { ...simplifyEvent(view) } as unknown as IDataObject;
	if (options.includeRaw) {
		json.body = body as IDataObject;
		json.headers = redactHeaders(request.headers, request.secretHeaders) as IDataObject;
	}
	// Answered here, the moment n8n 1.x answers its own webhooks: as soon as the event is handed over. n8n 2.x
	// would answer only after storing the execution, but it holds its single expression isolate (which every
	// community trigger's request needs) until then, so every other request would wait behind that write.
	context.getResponseObject().status(200).json({ received: true, started: true });
	return { noWebhookResponse: true, workflowData: [[{ json }]] };
}
