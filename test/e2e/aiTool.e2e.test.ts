import { randomUUID } from 'crypto';

import { apiTarget, readState } from './harness/e2eState';
import { FakeOpenAi, offeredTools, promptText } from './harness/fakeOpenAi';
import { InboundStandIn } from './harness/inboundStandIn';
import { activateWorkflow, createCredential, createWorkflow, waitForExecutions, waitForWebhookRoute, webhookBase, type ApiTarget } from './harness/n8nApi';
import { postRaw } from './harness/triggerDeploy';

/**
 * The Klink node as an AI agent's tool, with the tool description left at n8n's default ("Set
 * Automatically"): what the model is told the tool does, and what the tool then posts.
 */

let target: ApiTarget;
const inbound = new InboundStandIn();
const POSTED = 'Hi, this is Mai again: I still have not received order 1042.';
const openAi = new FakeOpenAi({ toolPattern: /klink/i, reply: POSTED, finalText: 'Posted.' });
let url: string;
let workflowId: string;

beforeAll(async () => {
	const state = readState();
	target = apiTarget(state);
	await Promise.all([inbound.start(), openAi.start()]);
	const customChannel = await createCredential(target, 'klinkCustomChannelApi', { inboundUrl: inbound.url });
	// `header: false` spelled out: 1.x's schema otherwise wants the custom header's name and value.
	const openAiCredential = await createCredential(target, 'openAiApi', { apiKey: 'sk-e2e-placeholder', url: openAi.baseUrl, header: false });
	const path = `agent-${randomUUID()}`;
	const workflow = await createWorkflow(
		target,
		'Klink tool as an agent sees it',
		[
			{
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				webhookId: randomUUID(),
				parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', options: {} },
			},
			{
				name: 'AI Agent',
				type: '@n8n/n8n-nodes-langchain.agent',
				typeVersion: 3,
				parameters: { promptType: 'define', text: '={{ $json.body.request }}', options: {} },
			},
			{
				name: 'OpenAI Chat Model',
				type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
				typeVersion: 1.3,
				parameters: { model: { __rl: true, mode: 'id', value: 'gpt-4.1-mini' }, options: {} },
				credentials: { openAiApi: openAiCredential },
			},
			{
				name: 'Klink',
				type: 'n8n-nodes-klink.klinkTool',
				typeVersion: 1,
				parameters: {
					resource: 'message',
					operation: 'send',
					content: "={{ $fromAI('content', 'The text of the message', 'string') }}",
					senderId: 'cust-42',
					senderName: 'Mai Tran',
					messageType: 'text',
					options: {},
				},
				credentials: { klinkCustomChannelApi: customChannel },
			},
		],
		{
			Webhook: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
			Klink: { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
		},
	);
	workflowId = workflow.id;
	await activateWorkflow(target, workflowId);
	url = new URL(`/webhook/${path}`, webhookBase(target)).toString();
	// The probe runs the workflow once, with no request: the agent fails on the empty prompt.
	await waitForWebhookRoute(url, { body: '{}', contentType: 'application/json' });
	await waitForExecutions(target, workflowId, 1);
	openAi.reset();
	inbound.reset();
});

afterAll(async () => {
	await Promise.all([inbound.stop(), openAi.stop()]);
});

it('is offered to the model as posting a message as the customer, and posts on the customer side', async () => {
	const answer = await postRaw(url, JSON.stringify({ request: 'Post a follow-up from Mai about order 1042.' }));
	expect(answer.status).toBe(200);
	const executions = await waitForExecutions(target, workflowId, 2);
	expect(executions[1].status).toBe('success');

	const [firstCall] = openAi.modelCalls;
	expect(promptText(firstCall)).toContain('Post a follow-up from Mai about order 1042.');
	const tool = offeredTools(firstCall).find((offered) => /klink/i.test(offered.name));
	console.log(`n8n ${target.major}.x offered the model ${JSON.stringify(tool)} via ${firstCall.path}`);
	// n8n's automatic description is "<the operation's action> in <node>": it names whose message this is.
	expect(tool?.description).toBe('Post a message as the customer in Klink');
	expect(Object.keys(tool?.parameters?.properties ?? {})).toEqual(['content']);

	expect(inbound.requests.map((request) => request.body)).toEqual([
		{
			messageId: expect.any(String),
			content: POSTED,
			sender: { id: 'cust-42', name: 'Mai Tran' },
			timestamp: expect.any(Number),
			type: 'text',
		},
	]);
});
