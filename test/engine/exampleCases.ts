import { randomUUID } from 'crypto';

import type { DataTableRow, IDataObject, INodeParameters, INodeType } from 'n8n-workflow';

import { contactEvent, conversationEvent, customChannelMessage, messageInbound, messageOutbound } from '../e2e/harness/klinkEvents';
import type { CredentialsByType } from './harness/credentialsHelper';
import type { RecordedCall } from './harness/externalServices';
import type { EngineRun } from './harness/runWorkflow';
import { chatModelStandIn, informationExtractorStandIn, scriptedChatModel, type ChatMessage } from './harness/standIns';

/**
 * One case per file in examples/: how klink delivers to its trigger, the events it sends (and whether each
 * must start the workflow), the services the workflow calls (answered in-process), and what those services
 * must have received. A new example needs a case here; the examples test fails until it has one.
 */

export interface ExampleEvent {
	what: string;
	/** The webhook node the request goes to (with `headers`); the Klink Trigger, as klink delivers, when not given. */
	to?: string;
	headers?: Record<string, string>;
	body: unknown;
	/** The answer's status; 200 when not given. */
	status?: number;
	started: boolean;
}

/** What a case's checks can see. */
export interface ExampleOutcome {
	/** The executions the started events ran, in order. */
	executions: EngineRun[];
	/** Requests each service received, by service name. */
	calls: Record<string, RecordedCall[]>;
	/** Messages that reached the Custom Channel inbound stand-in (examples that post into klink). */
	inbound: IDataObject[];
	events: ExampleEvent[];
	/** The answer to each event, in order (JSON, or `{ text }` for a plain-text answer). */
	answers: Array<Record<string, unknown>>;
	/** The workflow's static data as n8n would have saved it after the last run. */
	staticData: IDataObject;
	/** The rows of the case's data tables, by table name, after the last run. */
	tables: Record<string, DataTableRow[]>;
}

export interface ExampleCase {
	file: string;
	/** How klink authenticates its deliveries to this example's trigger. */
	delivery: { kind: 'signature'; secret: string } | { kind: 'header'; name: string; value: string };
	/** Credential data by type, for the placeholders in the file; `inboundUrl` is the Custom Channel stand-in's. */
	credentials: (inboundUrl: string) => CredentialsByType;
	/** What a user fills in after importing, by node name (e.g. the team and channel picked from lists). */
	parameters?: Record<string, INodeParameters>;
	/** Credentials of single nodes, by node name and credential type (when two nodes use different credentials of one type). */
	nodeCredentials?: Record<string, CredentialsByType>;
	/** Internet services the workflow calls, by name: their origin and their answer. */
	services?: Record<string, { origin: string; reply: (call: RecordedCall) => { status: number; body: unknown } }>;
	/** Node types for packages not installed here, by full type name. */
	standIns?: Record<string, INodeType>;
	/** n8n data tables the user creates before activating, with string columns (in memory here: dataTableStandIn.ts). */
	dataTables?: Array<{ id: string; name: string; columns: string[] }>;
	events: () => ExampleEvent[];
	check: (outcome: ExampleOutcome) => void;
}

const signature = { kind: 'signature' as const, secret: 'klink-engine-examples-signature-secret' };
const body = (call: RecordedCall) => call.body as IDataObject;

const teamId = '7a3f5c1e-2b4d-4e6f-8a9b-0c1d2e3f4a5b';
const channelId = '19:engine-klink-alerts@thread.tacv2';

const URGENT_TRIAGE = { intent: 'billing', urgency: 'high', language: 'en', summary: 'Charged twice for order 1042, wants a refund today.' };
const ROUTINE_TRIAGE = { intent: 'question', urgency: 'low', language: 'th', summary: 'Asks when the shop opens.' };

/** The triage model answers as chat models usually do: JSON in a fenced block, picked by the message it got. */
const triageModel = scriptedChatModel((messages: ChatMessage[]) => {
	const text = messages.find((message) => message.role === 'user')?.content ?? '';
	return '```json\n' + JSON.stringify(text.includes('charged twice') ? URGENT_TRIAGE : ROUTINE_TRIAGE) + '\n```';
});

const APP_WEBHOOK = 'Customer message from app';
/** The bridge's map of conversations: an n8n data table (examples/README.md). */
export const BRIDGE_TABLE = { id: 'engine-klink-bridge-conversations', name: 'klink_bridge_conversations', columns: ['customerId', 'customerName', 'conversationId'] };
export const BRIDGE_TABLE_NODES = ['Find conversation', 'Learn conversation', 'Find customer', 'Forget conversation'];
const APP_SECRET = { name: 'X-App-Secret', value: 'app-to-bridge-engine-secret' };
const MAI = { customerId: 'cust-42', customerName: 'Mai Tran' };
const KO = { customerId: 'cust-77', customerName: 'Ko Aung' };

interface AppMessage {
	customerId: string;
	customerName: string;
	messageId: string;
	text: string;
	sentAt: string;
}

/** The app posting a customer's message to the bridge's webhook, as its backend would. */
function customerWrites(customer: typeof MAI, text: string): ExampleEvent {
	const body: AppMessage = { ...customer, messageId: `app-msg-${randomUUID()}`, text, sentAt: new Date(Date.now() - 1000).toISOString() };
	return { what: `${customer.customerName} writes "${text}"`, to: APP_WEBHOOK, headers: { [APP_SECRET.name]: APP_SECRET.value }, body, started: true };
}

/** klink.cloud's report of a customer message posted through the Custom Channel (the customer's ID as sender). */
function customerEcho(customer: typeof MAI, conversationId: string, text: string) {
	const echo = { ...customChannelMessage('message.received'), conversationId };
	Object.assign(echo.message, { content: text, sender: { role: 'customer', id: customer.customerId, name: customer.customerName } });
	return echo;
}

export const EXAMPLE_CASES: ExampleCase[] = [
	{
		file: 'klink-to-microsoft-teams.json',
		delivery: signature,
		credentials: () => ({
			klinkSignatureApi: { signatureSecret: signature.secret },
			microsoftTeamsOAuth2Api: {
				clientId: 'engine-client',
				clientSecret: 'engine-client-secret',
				authUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
				accessTokenUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
				scope: 'openid offline_access ChannelMessage.Send',
				authentication: 'header',
				grantType: 'authorizationCode',
				oauthTokenData: { access_token: 'engine-teams-token', token_type: 'Bearer', refresh_token: 'engine-refresh' },
			},
		}),
		parameters: {
			'Post to Teams channel': {
				teamId: { __rl: true, mode: 'id', value: teamId },
				channelId: { __rl: true, mode: 'id', value: channelId },
			},
		},
		services: { teams: { origin: 'https://graph.microsoft.com', reply: () => ({ status: 201, body: { id: '1700000000000' } }) } },
		events: () => [
			{ what: 'facebook message', body: messageInbound({ channel: 'facebook' }), started: false },
			{ what: 'outgoing whatsapp message', body: messageInbound({ direction: 'outgoing' }), started: false },
			{ what: 'message.outbound', body: messageOutbound(), started: false },
			{ what: 'contact event', body: contactEvent('contact.created'), started: false },
			{ what: 'incoming telegram message', body: messageInbound({ channel: 'telegram', text: 'Where is my parcel?' }), started: true },
		],
		check: ({ executions, calls, events }) => {
			const telegram = events[4].body as ReturnType<typeof messageInbound>;
			expect(executions.map((execution) => execution.run.status)).toEqual(['success']);
			expect(calls.teams).toHaveLength(1);
			const [post] = calls.teams;
			expect(post.method).toBe('POST');
			expect(post.url).toBe(`https://graph.microsoft.com/beta/teams/${teamId}/channels/${channelId}/messages`);
			expect(post.headers.authorization).toBe('Bearer engine-teams-token');
			const message = body(post).body as IDataObject;
			expect(message.contentType).toBe('html');
			const [content, attribution] = String(message.content).split('<br><br><em>');
			// klink's message.inbound carries no sender, so the example names the contact instead.
			expect(content).toBe(
				`<b>New telegram message on klink.cloud</b><br>From: contact ${telegram.data.contactId}<br>` +
					`Conversation: ${telegram.data.roomId}<br><blockquote>Where is my parcel?</blockquote>`,
			);
			// n8n's Teams node appends its own line unless Include Link to Workflow is turned off.
			expect(attribution).toMatch(/^ Powered by <a href=".*">this n8n workflow<\/a> <\/em>$/);
		},
	},
	{
		file: 'klink-unread-to-slack.json',
		delivery: signature,
		credentials: () => ({ klinkSignatureApi: { signatureSecret: signature.secret }, slackApi: { accessToken: 'xoxb-engine-token' } }),
		services: {
			slack: {
				origin: 'https://slack.com',
				reply: (call) => ({ status: 200, body: { ok: true, channel: 'C0ENGINE', ts: '1700000000.000100', message: { text: body(call).text } } }),
			},
		},
		events: () => [
			{ what: '1 unread', body: messageInbound({ unreadCount: 1 }), started: false },
			{ what: '4 unread', body: messageInbound({ unreadCount: 4 }), started: false },
			{ what: '7 unread but outgoing', body: messageInbound({ unreadCount: 7, direction: 'outgoing' }), started: false },
			{ what: '7 unread', body: messageInbound({ channel: 'livechat', unreadCount: 7, text: 'Hello?? Anyone there?' }), started: true },
			{ what: 'exactly 5 unread', body: messageInbound({ unreadCount: 5, text: 'still waiting' }), started: true },
		],
		check: ({ executions, calls, events }) => {
			const piledUp = events[3].body as ReturnType<typeof messageInbound>;
			expect(executions.map((execution) => execution.run.status)).toEqual(['success', 'success']);
			expect(calls.slack).toHaveLength(2);
			const [first, second] = calls.slack;
			expect(first.method).toBe('POST');
			expect(first.url).toBe('https://slack.com/api/chat.postMessage');
			expect(first.headers.authorization).toBe('Bearer xoxb-engine-token');
			expect(body(first).channel).toBe('#support');
			const [message, attribution] = String(body(first).text).split('\n_');
			expect(message).toBe(
				`:rotating_light: *7 unread messages* in a livechat conversation on klink.cloud\n>Hello?? Anyone there?\n` +
					`Conversation \`${piledUp.data.roomId}\`, contact \`${piledUp.data.contactId}\``,
			);
			// n8n's Slack node appends its own line unless Include Link to Workflow is turned off.
			expect(attribution).toMatch(/^Automated with this <.*\|n8n workflow>_$/);
			expect(String(body(second).text)).toContain('*5 unread messages* in a whatsapp conversation');
		},
	},
	{
		file: 'klink-contacts-to-crm.json',
		delivery: signature,
		credentials: () => ({
			klinkSignatureApi: { signatureSecret: signature.secret },
			httpHeaderAuth: { name: 'X-Api-Key', value: 'engine-crm-key' },
		}),
		services: { crm: { origin: 'https://crm.example.com', reply: () => ({ status: 200, body: { upserted: true } }) } },
		events: () => [
			{ what: 'incoming message', body: messageInbound(), started: false },
			{ what: 'contact.created', body: contactEvent('contact.created'), started: true },
			{ what: 'contact.updated', body: contactEvent('contact.updated'), started: true },
		],
		check: ({ executions, calls, events }) => {
			expect(executions.map((execution) => execution.run.status)).toEqual(['success', 'success']);
			expect(calls.crm.map((call) => `${call.method} ${call.url}`)).toEqual([
				'POST https://crm.example.com/api/contacts/upsert',
				'POST https://crm.example.com/api/contacts/upsert',
			]);
			expect(calls.crm[0].headers['x-api-key']).toBe('engine-crm-key');
			calls.crm.forEach((call, index) => {
				const contact = events[index + 1].body as ReturnType<typeof contactEvent>;
				// The contact has no email: the expression yields undefined, which JSON.stringify leaves out.
				expect(body(call)).toEqual({
					externalId: contact.data.id,
					source: 'klink.cloud',
					event: contact.event,
					name: contact.data.name,
					phone: contact.data.phone,
					tags: contact.data.tags,
					updatedAt: contact.data.updatedAt,
					klinkContact: contact.data,
				});
			});
		},
	},
	{
		file: 'klink-ai-triage.json',
		delivery: signature,
		credentials: () => ({
			klinkSignatureApi: { signatureSecret: signature.secret },
			httpHeaderAuth: { name: 'Authorization', value: 'Bearer crm-engine-key' },
		}),
		services: {
			crm: { origin: 'https://crm.example.com', reply: () => ({ status: 200, body: { id: 'note-1', created: true } }) },
			// Slack's incoming webhooks answer a plain `ok`.
			slack: { origin: 'https://hooks.slack.com', reply: () => ({ status: 200, body: 'ok' }) },
		},
		standIns: {
			'@n8n/n8n-nodes-langchain.informationExtractor': informationExtractorStandIn(1.2),
			'@n8n/n8n-nodes-langchain.lmChatOpenAi': chatModelStandIn('lmChatOpenAi', 1.3, triageModel),
		},
		events: () => [
			{ what: 'outgoing message', body: messageInbound({ direction: 'outgoing' }), started: false },
			{ what: 'message.outbound', body: messageOutbound(), started: false },
			{ what: 'contact event', body: contactEvent('contact.created'), started: false },
			{
				what: 'urgent customer message',
				body: messageInbound({ channel: 'whatsapp', text: 'I was charged twice for order 1042!! Refund it today please' }),
				started: true,
			},
			{ what: 'routine customer message', body: messageInbound({ channel: 'telegram', text: 'สวัสดีครับ ร้านเปิดกี่โมงครับ' }), started: true },
		],
		check: ({ executions, calls, events }) => {
			const urgent = eventBody<ReturnType<typeof messageInbound>>(events, 'urgent customer message');
			const routine = eventBody<ReturnType<typeof messageInbound>>(events, 'routine customer message');
			expect(executions.map((execution) => execution.run.status)).toEqual(['success', 'success']);

			// The model got the channel and the customer's text, and the instructions with the example's schema.
			expect(triageModel.calls.map((messages) => messages.find((message) => message.role === 'user')?.content)).toEqual([
				'Channel: whatsapp\nCustomer message: I was charged twice for order 1042!! Refund it today please',
				'Channel: telegram\nCustomer message: สวัสดีครับ ร้านเปิดกี่โมงครับ',
			]);
			const system = triageModel.calls[0].find((message) => message.role === 'system')?.content;
			expect(system).toContain('You never answer the customer');
			expect(system).toContain('"enum": [\n        "high",\n        "normal",\n        "low"\n      ]');
			expect(executions[0].json('Triage with AI')).toEqual([{ output: URGENT_TRIAGE }]);
			expect(executions[1].json('Triage with AI')).toEqual([{ output: ROUTINE_TRIAGE }]);

			// Slack: the urgent message only.
			expect(calls.slack.map((call) => ({ method: call.method, url: call.url, body: call.body }))).toEqual([
				{
					method: 'POST',
					url: 'https://hooks.slack.com/services/REPLACE/WITH/YOUR-WEBHOOK',
					body: {
						text:
							':rotating_light: Urgent whatsapp message on klink.cloud: Charged twice for order 1042, wants a refund today.\n' +
							`billing, language en, conversation ${urgent.data.roomId}\n` +
							'>I was charged twice for order 1042!! Refund it today please',
					},
				},
			]);
			expect(executions[1].runs('Alert in Slack')).toHaveLength(0);
			expect(executions[1].output('Urgent?', 0)).toEqual([]);

			// The CRM: a note for every message.
			expect(calls.crm.map((call) => `${call.method} ${call.url} ${call.headers.authorization}`)).toEqual([
				'POST https://crm.example.com/api/notes Bearer crm-engine-key',
				'POST https://crm.example.com/api/notes Bearer crm-engine-key',
			]);
			expect(calls.crm.map(body)).toEqual([
				{
					externalId: urgent.data.contactId,
					source: 'klink.cloud',
					title: 'klink.cloud whatsapp message: billing, high urgency',
					summary: 'Charged twice for order 1042, wants a refund today.',
					language: 'en',
					message: 'I was charged twice for order 1042!! Refund it today please',
					conversationId: urgent.data.roomId,
					receivedAt: urgent.timestamp,
				},
				{
					externalId: routine.data.contactId,
					source: 'klink.cloud',
					title: 'klink.cloud telegram message: question, low urgency',
					summary: 'Asks when the shop opens.',
					language: 'th',
					message: 'สวัสดีครับ ร้านเปิดกี่โมงครับ',
					conversationId: routine.data.roomId,
					receivedAt: routine.timestamp,
				},
			]);
		},
	},
	{
		file: 'klink-custom-channel-bridge.json',
		delivery: { kind: 'header', name: 'Authorization', value: 'Bearer klink-engine-custom-channel-token' },
		credentials: (inboundUrl) => ({
			klinkHeaderAuthApi: { name: 'Authorization', value: 'Bearer klink-engine-custom-channel-token' },
			klinkCustomChannelApi: { inboundUrl },
			// The app's API key, for the two HTTP Request nodes.
			httpHeaderAuth: { name: 'Authorization', value: 'Bearer app-api-engine-key' },
		}),
		// What the app must send to the bridge's own webhook.
		nodeCredentials: { [APP_WEBHOOK]: { httpHeaderAuth: APP_SECRET } },
		// The table the setup note asks for, picked in the four Data table nodes.
		dataTables: [BRIDGE_TABLE],
		parameters: Object.fromEntries(BRIDGE_TABLE_NODES.map((node) => [node, { dataTableId: { __rl: true, mode: 'list', value: BRIDGE_TABLE.id } }])),
		services: { app: { origin: 'https://your-app.example.com', reply: () => ({ status: 200, body: { delivered: true } }) } },
		events: () => {
			const maiConversation = randomUUID();
			const koConversation = randomUUID();
			const reply = { ...customChannelMessage('message.sent'), conversationId: maiConversation };
			reply.message.content = 'Your parcel left our warehouse today.';
			return [
				{ ...customerWrites(MAI, 'hi'), what: 'the app with a wrong secret', headers: { [APP_SECRET.name]: 'wrong' }, status: 403, started: false },
				customerWrites(MAI, 'Hello, my parcel has not arrived'),
				customerWrites(KO, 'Do you ship to Mandalay?'),
				{ what: 'klink reports Mai’s message', body: customerEcho(MAI, maiConversation, 'Hello, my parcel has not arrived'), started: true },
				{ what: 'klink reports Ko’s message', body: customerEcho(KO, koConversation, 'Do you ship to Mandalay?'), started: true },
				{ what: 'conversation.created (not subscribed)', body: conversationEvent('conversation.created'), started: false },
				customerWrites(MAI, 'Order 1042'),
				customerWrites(KO, 'To 73rd street'),
				{ what: 'an agent replies to Mai', body: reply, started: true },
				{ what: 'a reply in a conversation the bridge does not know', body: customChannelMessage('message.sent'), started: true },
				{ what: 'Mai’s conversation closed', body: { ...conversationEvent('conversation.closed'), conversationId: maiConversation }, started: true },
				customerWrites(MAI, 'I have another question'),
				customerWrites(KO, 'Thanks'),
			];
		},
		check: ({ executions, calls, inbound, events, answers, staticData, tables }) => {
			const maiConversation = eventBody<{ conversationId: string }>(events, 'klink reports Mai’s message').conversationId;
			const koConversation = eventBody<{ conversationId: string }>(events, 'klink reports Ko’s message').conversationId;
			const reply = eventBody<ReturnType<typeof customChannelMessage>>(events, 'an agent replies to Mai');
			const closed = eventBody<{ timestamp: number }>(events, 'Mai’s conversation closed');
			expect(executions.map((execution) => execution.run.status)).toEqual(executions.map(() => 'success'));

			// Customer → agents: every message the app sent (not the refused one) reached the Custom Channel as the
			// customer's, in a new conversation until klink reported one, then in it, and in a new one after closing.
			const sent = events.filter((event) => event.to === APP_WEBHOOK && event.started).map((event) => event.body as AppMessage);
			expect(inbound).toEqual(
				sent.map((message) => ({
					messageId: message.messageId,
					content: message.text,
					sender: { id: message.customerId, name: message.customerName },
					timestamp: Date.parse(message.sentAt),
					type: 'text',
				})).map((posted, index) => {
					const conversation = [undefined, undefined, maiConversation, koConversation, undefined, koConversation][index];
					return conversation === undefined ? posted : { ...posted, conversationId: conversation };
				}),
			);
			// The app gets the Klink node's result as the answer (n8n's "last node" response).
			expect(answers[1]).toMatchObject({ messageId: sent[0].messageId, conversationId: null, statusCode: 200, attempts: 1 });
			expect(answers[6]).toMatchObject({ messageId: sent[2].messageId, conversationId: maiConversation, statusCode: 200 });
			expect(answers[0]).toEqual({ text: 'Authorization data is wrong!' });

			// klink's reports taught the bridge who is in which conversation; nothing went back to the app for them.
			const learnt = (index: number) => executions[index].json('Learn conversation').map(({ customerId, customerName, conversationId }) => ({ customerId, customerName, conversationId }));
			expect(learnt(2)).toEqual([{ customerId: 'cust-42', customerName: 'Mai Tran', conversationId: maiConversation }]);
			expect(learnt(3)).toEqual([{ customerId: 'cust-77', customerName: 'Ko Aung', conversationId: koConversation }]);

			// Agents → customer: the reply and the closing, to the app with its API key; the stray reply went nowhere.
			expect(executions[7].json('Find customer')).toEqual([]);
			expect(calls.app.map((call) => ({ method: call.method, url: call.url, authorization: call.headers.authorization, body: call.body }))).toEqual([
				{
					method: 'POST',
					url: 'https://your-app.example.com/klink/agent-replies',
					authorization: 'Bearer app-api-engine-key',
					body: {
						customerId: 'cust-42',
						conversationId: maiConversation,
						text: 'Your parcel left our warehouse today.',
						agentName: 'Support Agent',
						sentAt: reply.message.timestamp,
					},
				},
				{
					method: 'POST',
					url: 'https://your-app.example.com/klink/conversation-closed',
					authorization: 'Bearer app-api-engine-key',
					body: { customerId: 'cust-42', conversationId: maiConversation, closedAt: closed.timestamp },
				},
			]);

			// The memory, in the data table: Mai's closed conversation forgotten, Ko's still known.
			expect(tables[BRIDGE_TABLE.name].map(({ customerId, customerName, conversationId }) => ({ customerId, customerName, conversationId }))).toEqual([
				{ customerId: 'cust-77', customerName: 'Ko Aung', conversationId: koConversation },
			]);
			// No node of the workflow uses static data, so the Klink Trigger keeps its record of seen deliveries there.
			expect(staticData.global).toBeUndefined();
			expect(staticData['node:Klink Trigger']).toHaveProperty('seenRecord');
		},
	},
];

function eventBody<T>(events: ExampleEvent[], what: string): T {
	const event = events.find((candidate) => candidate.what === what);
	if (!event) throw new Error(`no event "${what}"`);
	return event.body as T;
}
