import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { contactEvent, customChannelMessage, messageInbound, messageOutbound } from '../e2e/harness/klinkEvents';
import type { CredentialsByType } from './harness/credentialsHelper';
import type { RecordedCall } from './harness/externalServices';
import type { EngineRun } from './harness/runWorkflow';
import { agentStandIn, chatModelStandIn } from './harness/standIns';

/**
 * One case per file in examples/: how klink delivers to its trigger, the events it sends (and whether each
 * must start the workflow), the services the workflow calls (answered in-process), and what those services
 * must have received. A new example needs a case here; the examples test fails until it has one.
 */

export interface ExampleEvent {
	what: string;
	body: unknown;
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
}

export interface ExampleCase {
	file: string;
	/** How klink authenticates its deliveries to this example's trigger. */
	delivery: { kind: 'signature'; secret: string } | { kind: 'header'; name: string; value: string };
	/** Credential data by type, for the placeholders in the file; `inboundUrl` is the Custom Channel stand-in's. */
	credentials: (inboundUrl: string) => CredentialsByType;
	/** What a user fills in after importing, by node name (e.g. the team and channel picked from lists). */
	parameters?: Record<string, INodeParameters>;
	/** Internet services the workflow calls, by name: their origin and their answer. */
	services?: Record<string, { origin: string; reply: (call: RecordedCall) => { status: number; body: unknown } }>;
	/** Node types for packages not installed here, by full type name. */
	standIns?: Record<string, ReturnType<typeof agentStandIn>>;
	events: () => ExampleEvent[];
	check: (outcome: ExampleOutcome) => void;
}

const signature = { kind: 'signature' as const, secret: 'klink-engine-examples-signature-secret' };
const body = (call: RecordedCall) => call.body as IDataObject;

const teamId = '7a3f5c1e-2b4d-4e6f-8a9b-0c1d2e3f4a5b';
const channelId = '19:engine-klink-alerts@thread.tacv2';

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
		file: 'klink-ai-agent-reply.json',
		delivery: { kind: 'header', name: 'Authorization', value: 'Bearer klink-engine-custom-channel-token' },
		credentials: (inboundUrl) => ({
			klinkHeaderAuthApi: { name: 'Authorization', value: 'Bearer klink-engine-custom-channel-token' },
			klinkCustomChannelApi: { inboundUrl },
		}),
		standIns: {
			'@n8n/n8n-nodes-langchain.agent': agentStandIn('agent', 3, (prompt) => ({ content: `About "${prompt}": your order ships today.` })),
			'@n8n/n8n-nodes-langchain.lmChatOpenAi': chatModelStandIn('lmChatOpenAi', 1.3),
		},
		events: () => [
			{ what: 'the agent’s own reply sent back by klink', body: ownReply(), started: true },
			{ what: 'a customer message', body: customChannelMessage('message.received'), started: true },
			{ what: 'message.sent', body: customChannelMessage('message.sent'), started: false },
		],
		check: ({ executions, inbound, events }) => {
			const customer = events[1].body as ReturnType<typeof customChannelMessage>;
			expect(executions.map((execution) => execution.run.status)).toEqual(['success', 'success']);
			// The agent's own reply stops at the filter: no agent run, nothing posted for it.
			expect(executions[0].runs('AI Agent')).toHaveLength(0);
			expect(executions[0].output('Skip own replies')).toEqual([]);
			const [agent] = executions[1].json('AI Agent');
			expect(agent.prompt).toBe('My order has not arrived');
			expect(agent.systemMessage).toContain("The customer's name is John Doe.");
			expect(agent.tools).toEqual(['Reply_in_klink']);
			expect(inbound).toHaveLength(1);
			expect(inbound[0]).toMatchObject({
				content: 'About "My order has not arrived": your order ships today.',
				conversationId: customer.conversationId,
				sender: { id: 'n8n-ai-agent', name: 'AI Assistant' },
				type: 'text',
			});
		},
	},
];

/** A Custom Channel message as klink sends back what the agent posted (sender id n8n-ai-agent). */
function ownReply() {
	const reply = customChannelMessage('message.received');
	reply.message.sender = { role: 'customer', name: 'AI Assistant', id: 'n8n-ai-agent' };
	return reply;
}
