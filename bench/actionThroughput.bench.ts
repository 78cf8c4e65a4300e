import { randomUUID } from 'crypto';

import { InboundStandIn } from '../test/e2e/harness/inboundStandIn';
import { deploySplitOutWorkflow } from '../test/e2e/harness/actionDeploy';
import { createCredential, listExecutions, PACKAGE, type ApiTarget } from '../test/e2e/harness/n8nApi';
import { n8nVersion, type N8nMajor } from '../test/e2e/harness/versions';
import { benchPort, startBenchInstance } from './benchInstance';
import { RATIO_COLUMNS, ratioRow, recordTable } from './results';
import { median, ms, ratioLine } from './stats';

/**
 * 1,000 messages over 50 conversations to a stand-in inbound endpoint that answers after 20 ms, sent by
 * the Klink node and, on the same instance in the same run, by n8n's HTTP Request node. The Klink node keeps
 * each conversation in order, so 20 messages in a row x 20 ms = 0.4 s is its lower bound. The same messages
 * once more with every message its own conversation separate what the ordering costs from what 50 in flight
 * cost.
 */
const MESSAGES = 1000;
const CONVERSATIONS = 50;
const DELAY_MS = 20;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

/** The bench's messages: `conversations` conversations taking turns (1,000 when every message is its own). */
function items(conversations = CONVERSATIONS) {
	return Array.from({ length: MESSAGES }, (_, i) => ({
		content: `message ${i}`,
		senderId: `sender-${i % conversations}`,
		senderName: 'Bench Sender',
		conversationId: `conversation-${i % conversations}`,
		messageId: `bench-${randomUUID()}`,
	}));
}

/** Whether each conversation's messages arrived in item order ("message <i>", i growing). */
function inItemOrder(requests: Array<{ body: { content?: string; conversationId?: string } }>): boolean {
	const last = new Map<string, number>();
	for (const { body } of requests) {
		const index = Number(String(body.content).replace('message ', ''));
		const conversation = String(body.conversationId);
		if ((last.get(conversation) ?? -1) >= index) return false;
		last.set(conversation, index);
	}
	return true;
}

/** Runs the workflow once and returns the sender node's own execution time as n8n recorded it. */
async function runOnce(target: ApiTarget, sender: { url: string; workflowId: string }, conversations = CONVERSATIONS): Promise<number> {
	const before = (await listExecutions(target, sender.workflowId)).length;
	const response = await fetch(sender.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items: items(conversations) }) });
	await response.text();
	if (!response.ok) throw new Error(`bench workflow answered ${response.status}`);
	const executions = (await listExecutions(target, sender.workflowId)).sort((a, b) => Number(b.id) - Number(a.id));
	if (executions.length <= before) throw new Error('no execution recorded');
	const run = executions[0].data?.resultData.runData.Sender?.[0] as { executionTime?: number; error?: unknown } | undefined;
	if (!run?.executionTime || run.error) throw new Error(`sender failed: ${JSON.stringify(run?.error)}`);
	return run.executionTime;
}

async function main(): Promise<void> {
	const major = (Number(process.argv[2]) === 2 ? 2 : 1) as N8nMajor;
	const standIn = new InboundStandIn();
	await standIn.start();
	standIn.delayMs = DELAY_MS;
	const instance = await startBenchInstance(major, benchPort(5970 + major));
	try {
		const { target } = instance;
		const credential = await createCredential(target, 'klinkCustomChannelApi', { inboundUrl: standIn.url });
		const fields = {
			content: '={{ $json.content }}',
			senderId: '={{ $json.senderId }}',
			senderName: '={{ $json.senderName }}',
			conversationId: '={{ $json.conversationId }}',
			messageId: '={{ $json.messageId }}',
		};
		const klink = await deploySplitOutWorkflow(target, 'bench klink node', {
			type: `${PACKAGE}.klink`,
			typeVersion: 1,
			parameters: { resource: 'message', operation: 'send', ...fields, options: { concurrency: CONVERSATIONS } },
			credentials: { klinkCustomChannelApi: credential },
		}, 'noData');
		// The same node with every field mapped through an expression that n8n's engine has to evaluate per item
		// (the plain `{{ $json.field }}` mappings above are read from the item directly).
		const evaluated = Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, value.replace(/^=\{\{ (.*) \}\}$/, '={{ ($1) }}')]));
		const klinkEvaluated = await deploySplitOutWorkflow(target, 'bench klink node, evaluated expressions', {
			type: `${PACKAGE}.klink`,
			typeVersion: 1,
			parameters: { resource: 'message', operation: 'send', ...evaluated, options: { concurrency: CONVERSATIONS } },
			credentials: { klinkCustomChannelApi: credential },
		}, 'noData');
		const httpRequest = await deploySplitOutWorkflow(target, 'bench http request node', {
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			parameters: {
				method: 'POST',
				url: standIn.url,
				sendBody: true,
				specifyBody: 'json',
				jsonBody:
					'={{ JSON.stringify({ messageId: $json.messageId, content: $json.content, sender: { id: $json.senderId, name: $json.senderName }, timestamp: Date.now(), type: "text", conversationId: $json.conversationId }) }}',
				options: {},
			},
		}, 'noData');

		const klinkTimes: number[] = [];
		const evaluatedTimes: number[] = [];
		const unorderedTimes: number[] = [];
		const httpTimes: number[] = [];
		for (let run = 0; run < RUNS; run++) {
			// The same node once more with every message its own conversation: nothing to keep in order, so
			// what is left is the node's cost per message at its concurrency, apart from the ordering's round trips.
			const senders = [
				[klink, klinkTimes, CONVERSATIONS],
				[klinkEvaluated, evaluatedTimes, CONVERSATIONS],
				[klink, unorderedTimes, MESSAGES],
			] as const;
			for (const [workflow, times, conversations] of senders) {
				standIn.reset();
				times.push(await runOnce(target, workflow, conversations));
				if (standIn.accepted.size !== MESSAGES) throw new Error(`klink node delivered ${standIn.accepted.size} of ${MESSAGES}`);
				if (standIn.maxInFlightPerConversation > 1) throw new Error('klink node sent two messages of one conversation at once');
				if (!inItemOrder(standIn.requests)) throw new Error('klink node sent a conversation out of item order');
			}
			standIn.reset();
			httpTimes.push(await runOnce(target, httpRequest));
		}
		const best = (values: number[]) => Math.min(...values);
		const bound = (MESSAGES / CONVERSATIONS) * DELAY_MS;
		console.log(`\n## Klink node throughput: n8n ${n8nVersion(major)}, ${MESSAGES} messages, ${CONVERSATIONS} conversations, endpoint answers after ${DELAY_MS} ms, best of ${RUNS}`);
		console.log(`Klink node (concurrency ${CONVERSATIONS})       ${ms(best(klinkTimes))}   runs: ${klinkTimes.map((t) => t.toFixed(0)).join(', ')} ms`);
		console.log(`ordering bound (${MESSAGES / CONVERSATIONS} in a row x ${DELAY_MS} ms)    ${ms(bound)}`);
		console.log(`Klink node, fields through n8n's expression engine  ${ms(best(evaluatedTimes))}   runs: ${evaluatedTimes.map((t) => t.toFixed(0)).join(', ')} ms`);
		console.log(`Klink node, every message its own conversation  ${ms(best(unorderedTimes))}   runs: ${unorderedTimes.map((t) => t.toFixed(0)).join(', ')} ms`);
		console.log(`HTTP Request node (same items)      ${ms(best(httpTimes))}   runs: ${httpTimes.map((t) => t.toFixed(0)).join(', ')} ms`);
		console.log(ratioLine('Klink node / ordering bound', best(klinkTimes) / bound, major === 1 ? 1.5 : undefined));
		console.log(ratioLine('Klink node / HTTP Request node (no ordering, no retries)', best(klinkTimes) / best(httpTimes), 1.2));
		console.log(ratioLine('Klink node, evaluated fields / HTTP Request node', best(evaluatedTimes) / best(httpTimes), undefined));
		console.log(ratioLine('Klink node, nothing to order / HTTP Request node', best(unorderedTimes) / best(httpTimes), undefined));
		console.log(ratioLine('Klink node, 50 conversations / every message its own', best(klinkTimes) / best(unorderedTimes), undefined));
		const pairs = klinkTimes.map((t, i) => t / httpTimes[i]);
		console.log(`Klink node / HTTP Request node, run by run: ${pairs.map((r) => r.toFixed(2)).join(', ')} (median ${median(pairs).toFixed(2)}x)`);
		const section = `Klink node throughput: n8n ${n8nVersion(major)}`;
		const runs = (times: number[]) => `${times.map((t) => t.toFixed(0)).join(', ')} ms`;
		recordTable({
			section,
			caption: `${MESSAGES} messages over ${CONVERSATIONS} conversations to an endpoint answering after ${DELAY_MS} ms; the sender node's own time as n8n recorded it, best of ${RUNS} runs.`,
			columns: ['Sender', 'best', 'runs'],
			rows: [
				[`Klink node (concurrency ${CONVERSATIONS})`, ms(best(klinkTimes)), runs(klinkTimes)],
				["Klink node, fields through n8n's expression engine", ms(best(evaluatedTimes)), runs(evaluatedTimes)],
				['Klink node, every message its own conversation', ms(best(unorderedTimes)), runs(unorderedTimes)],
				['HTTP Request node (same items)', ms(best(httpTimes)), runs(httpTimes)],
				[`ordering bound (${MESSAGES / CONVERSATIONS} in a row x ${DELAY_MS} ms)`, ms(bound), ''],
			],
		});
		recordTable({
			section,
			columns: RATIO_COLUMNS,
			rows: [
				ratioRow('Klink node / ordering bound', best(klinkTimes) / bound, major === 1 ? 1.5 : undefined),
				ratioRow('Klink node / HTTP Request node (no ordering, no retries)', best(klinkTimes) / best(httpTimes), 1.2),
				ratioRow('Klink node, evaluated fields / HTTP Request node', best(evaluatedTimes) / best(httpTimes)),
				ratioRow('Klink node, nothing to order / HTTP Request node', best(unorderedTimes) / best(httpTimes)),
				ratioRow('Klink node, 50 conversations / every message its own', best(klinkTimes) / best(unorderedTimes)),
			],
			notes: [`Klink node / HTTP Request node, run by run: ${pairs.map((r) => r.toFixed(2)).join(', ')} (median ${median(pairs).toFixed(2)}x)`],
		});
	} finally {
		await instance.stop();
		await standIn.stop();
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
