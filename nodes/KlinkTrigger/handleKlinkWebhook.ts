import { NodeOperationError, type IDataObject, type IWebhookFunctions, type IWebhookResponseData } from 'n8n-workflow';

import { checkBasicAuth, checkHeaderAuth } from '../shared/auth/requestAuth';
import { DEFAULT_DEDUPE_WINDOW_MS, eventKey, MIN_DEDUPE_WINDOW_MS } from '../shared/events/dedupe';
import { DEFAULT_DEDUPE_MAX_KEYS, type SeenRecordLimits } from '../shared/events/seenRecord';
import { matchesFilters, splitList, type EventFilters, type RoomFilter } from '../shared/events/filters';
import { EventBodyError, readKlinkEvent } from '../shared/events/klinkEvent';
import { redactHeaders } from '../shared/events/redactHeaders';
import { simplifyEvent } from '../shared/events/simplifyEvent';
import { nodesUsingStaticData } from '../shared/events/staticDataUsers';
import { testRequestReport, type RefusalKind } from '../shared/events/testRequestReport';
import { urlAsArrived } from '../shared/http/arrivedUrl';
import type { RequestHeaders } from '../shared/http/requestHeaders';
import { IpAllowlistError, isIpAllowed, parseIpAllowlist } from '../shared/net/ipAllowlist';
import { unreachableWebhookUrlWarning } from '../shared/net/publicReachability';
import { BodyNotJsonError, normalizeBody } from '../shared/signature/normalizeBody';
import { signedUrlCandidates } from '../shared/signature/signedUrlCandidates';
import { describeSignedUrlMismatch } from '../shared/signature/signedUrlMismatch';
import { testUrlFromProductionUrl } from '../shared/signature/testWebhookUrl';
import { parseSignatureHeader, verifyKlinkSignature } from '../shared/signature/verifySignature';
import { getTriggerCredentials } from './credentialCache';
import { answerAfterFirstDelivery, answerClaimedElsewhere, answeredWith2xx, senderHungUp } from './deliveryOutcome';
import { DEFAULT_ANSWER_WHEN } from './descriptions/options.description';
import { answerFlushRequest, claimDelivery, flushKey, type DeliveryClaim } from './seenEventsStore';
import { workflowNodes } from './workflowNodes';

type Authentication = 'klinkSignature' | 'headerAuth' | 'basicAuth' | 'none';

const CREDENTIAL_TYPE: Record<Exclude<Authentication, 'none'>, string> = {
	klinkSignature: 'klinkSignatureApi',
	headerAuth: 'klinkHeaderAuthApi',
	basicAuth: 'klinkBasicAuthApi',
};

interface TriggerOptions {
	answerWhen?: 'immediately' | 'stored';
	deduplicate?: boolean;
	dedupeWindowMinutes?: number;
	includeRaw?: boolean;
	ipAllowlist?: string;
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
	/** The path n8n routed, without the query. */
	path: string;
	rawQuery: string;
	rawBody: Buffer;
	/** The client address as n8n's Express reports it, which follows N8N_PROXY_HOPS. */
	ip?: string;
	protocol?: string;
	/** Headers that carry a credential, kept out of the item when raw headers are included. */
	secretHeaders: string[];
}

/** Where this request arrived: the Production URL always; on a test request also the Test URL n8n served. */
interface ServedUrls {
	production: string;
	test?: string;
}

type Refusal = { kind: Exclude<RefusalKind, 'filtered'>; reason: string };

/** The request in progress: what was received, and whether it is a test request from the editor. */
interface Delivery {
	context: IWebhookFunctions;
	request: ReceivedRequest;
	urls: ServedUrls;
	isTest: boolean;
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden' };
const STARTED = { received: true, started: true };
const DUPLICATE = { received: true, started: false, reason: 'duplicate delivery' };

/**
 * Genuine requests always get a 2xx (klink deactivates endpoints that fail); others get `status` and start
 * nothing in production. On a test request the editor would otherwise keep listening with no sign that
 * anything arrived, so the refusal is also output as one item that says why (the sender still gets `status`).
 */
function refuse(delivery: Delivery, status: 400 | 401 | 403, refusal: Refusal): IWebhookResponseData {
	const { context, isTest } = delivery;
	// One line, no secret, no body: enough to see why klink's deliveries fail.
	context.logger.warn(
		`Klink Trigger "${context.getNode().name}": rejected a ${isTest ? 'test ' : ''}request with ${status}: ${refusal.reason}`,
	);
	context.getResponseObject().status(status).json({ error: STATUS_TEXT[status] });
	if (!isTest) return { noWebhookResponse: true };
	const report = testRequestReport({ kind: refusal.kind, statusCode: status, reason: refusal.reason, warning: testUrlWarning(delivery) });
	return { noWebhookResponse: true, workflowData: [[{ json: report as unknown as IDataObject }]] };
}

function testUrlWarning(delivery: Delivery): string | undefined {
	return unreachableWebhookUrlWarning(delivery.urls.test ?? delivery.urls.production);
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
		path: queryStart === -1 ? url : url.slice(0, queryStart),
		rawQuery: queryStart === -1 ? '' : url.slice(queryStart + 1),
		rawBody,
		ip: req.ip,
		protocol: req.protocol,
		secretHeaders: [],
	};
}

/**
 * n8n gives `webhook()` the Production URL, also on a test request. n8n 2.x adds getWebhookResourceUrl
 * for the URL it served (its Test URL may have another base, N8N_EDITOR_BASE_URL); 1.x builds its Test URL
 * from the same base, so it is derived from the Production URL and the endpoint the request came in on.
 */
function servedUrls(context: IWebhookFunctions, request: ReceivedRequest, isTest: boolean): ServedUrls {
	const production = context.getNodeWebhookUrl('default') ?? '';
	if (!isTest) return { production };
	const resourceUrl = typeof context.getWebhookResourceUrl === 'function' ? context.getWebhookResourceUrl('default') : undefined;
	return { production, test: resourceUrl ?? testUrlFromProductionUrl(production, request.path) };
}

async function authenticate(
	delivery: Delivery,
	authentication: Authentication,
	options: TriggerOptions,
): Promise<Refusal | undefined> {
	const { context, request } = delivery;
	if (authentication === 'none') return undefined;
	if (authentication === 'headerAuth') {
		const credential = await getTriggerCredentials(context, CREDENTIAL_TYPE.headerAuth);
		const headerName = String(credential.name ?? '');
		request.secretHeaders.push(headerName);
		const result = checkHeaderAuth(request.headers, headerName, String(credential.value ?? ''));
		return result.ok ? undefined : { kind: 'headerAuth', reason: result.reason };
	}
	if (authentication === 'basicAuth') {
		const credential = await getTriggerCredentials(context, CREDENTIAL_TYPE.basicAuth);
		const result = checkBasicAuth(request.headers, String(credential.user ?? ''), String(credential.password ?? ''));
		return result.ok ? undefined : { kind: 'basicAuth', reason: result.reason };
	}

	const signature = parseSignatureHeader(request.headers);
	if (!signature) return { kind: 'signatureMissing', reason: 'missing or malformed x-signature header' };
	const credential = await getTriggerCredentials(context, CREDENTIAL_TYPE.klinkSignature);
	const secrets = [credential.signatureSecret, credential.previousSignatureSecret]
		.map((secret) => (typeof secret === 'string' ? secret : ''))
		.filter((secret) => secret !== '');
	if (secrets.length === 0) return { kind: 'signature', reason: 'the Klink Signature credential has no secret' };

	const signedUrls = signedUrlCandidates({
		productionUrl: delivery.urls.production,
		testUrl: delivery.urls.test,
		rawQuery: request.rawQuery,
		override: options.signedUrl,
	});
	const check = (urls: string[]) =>
		verifyKlinkSignature({ method: request.method, signedUrls: urls, rawQuery: request.rawQuery, rawBody: request.rawBody, signature, secrets });
	const result = check(signedUrls);
	if (result.valid) return undefined;

	// Refused either way; but if klink signed the URL as it reached n8n, say so: a proxy changed it.
	const arrived = urlAsArrived(request.headers, request.path, request.protocol);
	if (arrived) {
		const candidates = signedUrlCandidates({ productionUrl: arrived, rawQuery: request.rawQuery }).filter(
			(url) => !signedUrls.includes(url),
		);
		if (candidates.length > 0 && check(candidates).valid) {
			const expected = options.signedUrl?.trim() || (delivery.urls.test ?? delivery.urls.production);
			return { kind: 'signature', reason: describeSignedUrlMismatch(arrived, expected) };
		}
	}
	return { kind: 'signature', reason: result.reason };
}

/** Options → IP Allowlist: an address outside it is refused before any credential is read. */
function checkIpAllowlist(request: ReceivedRequest, options: TriggerOptions): Refusal | undefined {
	if (!options.ipAllowlist || options.ipAllowlist.trim() === '') return undefined;
	try {
		if (isIpAllowed(parseIpAllowlist(options.ipAllowlist), request.ip)) return undefined;
	} catch (error) {
		// A typo in the list refuses everyone (fail closed) and says which entry.
		const reason = error instanceof IpAllowlistError ? error.message : 'the IP allowlist could not be read';
		return { kind: 'ipNotAllowed', reason };
	}
	return { kind: 'ipNotAllowed', reason: `address ${request.ip ?? 'unknown'} is not in the IP allowlist` };
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

/** The event is read from the bytes that were verified, never from n8n's parse by content type. */
function decodeBody(request: ReceivedRequest): unknown {
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

/** The secret of the trigger's credential, which keys its dedupe flush requests (see flushKey). */
async function credentialSecret(context: IWebhookFunctions, authentication: Authentication): Promise<string> {
	if (authentication === 'none') return '';
	const credential = await getTriggerCredentials(context, CREDENTIAL_TYPE[authentication]);
	const secret = { klinkSignature: credential.signatureSecret, headerAuth: credential.value, basicAuth: credential.password }[authentication];
	return typeof secret === 'string' ? secret : '';
}

function dedupeLimits(options: TriggerOptions): SeenRecordLimits {
	const windowMs = Math.max(MIN_DEDUPE_WINDOW_MS, (options.dedupeWindowMinutes ?? 0) * 60_000 || DEFAULT_DEDUPE_WINDOW_MS);
	return { windowMs, maxKeys: DEFAULT_DEDUPE_MAX_KEYS };
}

export async function handleKlinkWebhook(context: IWebhookFunctions): Promise<IWebhookResponseData> {
	const authentication = context.getNodeParameter('authentication', 'klinkSignature') as Authentication;
	const options = context.getNodeParameter('options', {}) as TriggerOptions;
	const request = await readRequest(context);
	const limits = dedupeLimits(options);
	// Derived only when a flush is checked or sent, never on an event's own path.
	const flushSecret = async () => flushKey(context, await credentialSecret(context, authentication));
	const flush = answerFlushRequest(context, request.rawBody, limits, flushSecret);
	if (flush) return await flush;
	const isTest = context.getMode() === 'manual';
	const delivery: Delivery = { context, request, urls: servedUrls(context, request, isTest), isTest };

	const ipRefusal = checkIpAllowlist(request, options);
	if (ipRefusal) return refuse(delivery, 403, ipRefusal);

	const authRefusal = await authenticate(delivery, authentication, options);
	if (authRefusal) return refuse(delivery, 401, authRefusal);

	let view;
	let body: unknown;
	try {
		body = decodeBody(request);
		view = readKlinkEvent(body);
	} catch (error) {
		const reason = error instanceof EventBodyError ? error.message : 'body is not valid JSON';
		return refuse(delivery, 400, { kind: 'notJson', reason });
	}

	const filterResult = matchesFilters(view, readFilters(context));
	if (!filterResult.matched) {
		const answer = { received: true, started: false, reason: filterResult.reason };
		if (!isTest) return { webhookResponse: answer };
		context.getResponseObject().status(200).json(answer);
		const report = testRequestReport({
			kind: 'filtered',
			statusCode: 200,
			reason: filterResult.reason,
			filter: filterResult.filter,
			warning: testUrlWarning(delivery),
		});
		return { noWebhookResponse: true, workflowData: [[{ json: report as unknown as IDataObject }]] };
	}

	// A test request never reads or writes the production dedupe record: a test event does not hide the
	// same event in production, and production does not hide a test event.
	let claim: DeliveryClaim | undefined;
	if (options.deduplicate !== false && !isTest) {
		// klink gave up on this delivery while it waited in n8n (a loaded webhook process) and sends it again,
		// maybe to another process: starting it here too could run the event twice.
		if (senderHungUp(context.getResponseObject())) {
			context.logger.debug(`Klink Trigger "${context.getNode().name}": not started, the sender hung up before n8n got to it`);
			return { noWebhookResponse: true };
		}
		const key = eventKey(view, () => normalizedOrRaw(context, request.rawBody));
		const staticDataUsers = nodesUsingStaticData(workflowNodes(context), context.getNode().name);
		claim = claimDelivery(context, key, limits, flushSecret, staticDataUsers);
		if (claim.kind === 'started') return { webhookResponse: DUPLICATE };
		if (claim.kind === 'claimedElsewhere') {
			answerClaimedElsewhere(context.getResponseObject());
			return { noWebhookResponse: true };
		}
		if (claim.kind === 'inFlight') {
			// Answered from here, so that n8n's request (on 2.x with an expression isolate of its own) ends now.
			answerAfterFirstDelivery(context.getResponseObject(), claim.outcome, DUPLICATE);
			return { noWebhookResponse: true };
		}
	}

	const json: IDataObject = { ...simplifyEvent(view) } as unknown as IDataObject;
	if (options.includeRaw) {
		json.body = body as IDataObject;
		json.headers = redactHeaders(request.headers, request.secretHeaders) as IDataObject;
	}
	if (isTest) {
		const warning = testUrlWarning(delivery);
		if (warning) json.warning = warning;
		context.getResponseObject().status(200).json(STARTED);
		return { noWebhookResponse: true, workflowData: [[{ json }]] };
	}
	// n8n answers: on 2.x once the execution is stored (and queued, in queue mode), with a 500 if that fails;
	// on 1.x as it answers its own Webhook node. The event counts as started only if that answer was a 2xx.
	if (claim?.kind === 'new') void answeredWith2xx(context.getResponseObject()).then(claim.settle);
	const answerWhen = options.answerWhen ?? DEFAULT_ANSWER_WHEN;
	if (answerWhen === 'stored') return { webhookResponse: STARTED, workflowData: [[{ json }]] };
	// Answered here, before n8n stores the execution: the shortest wait for klink, at the risk the README states.
	context.getResponseObject().status(200).json(STARTED);
	return { noWebhookResponse: true, workflowData: [[{ json }]] };
}
