import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';

import { runByConversation } from '../../../../shared/customChannel/conversationScheduler';
import { checkInboundUrl } from '../../../../shared/customChannel/inboundUrl';
import { maskSecretUrl } from '../../../../shared/customChannel/maskUrl';
import { deriveMessageId, messageFingerprint } from '../../../../shared/customChannel/messageId';
import {
	buildRequestBody,
	parseMessageFields,
	type CustomChannelMessage,
	type MessageField,
	type MessageFieldsInput,
} from '../../../../shared/customChannel/messageSchema';
import { CustomChannelSendError, sendCustomChannelMessage } from '../../../../shared/customChannel/sendMessage';
import { parseSendOptions, retryPolicyFrom } from '../../../../shared/customChannel/sendOptions';
import { cancellableSleep, isCancelled, n8nHttpRequester } from '../../transport';
import { itemFieldReader, type ItemFieldReader } from './itemFields';

export { description } from './send.description';

export const CREDENTIAL_TYPE = 'klinkCustomChannelApi';

const ITEM_FIELDS: MessageField[] = [
	'content',
	'senderId',
	'senderName',
	'conversationId',
	'messageId',
	'timestamp',
	'messageType',
];

interface PreparedMessage {
	index: number;
	body: CustomChannelMessage;
}

type Prepared = PreparedMessage | { index: number; error: NodeOperationError; field?: MessageField };

function isPrepared(value: Prepared): value is PreparedMessage {
	return 'body' in value;
}

function errorText(error: unknown): string {
	if (error instanceof Error) return error.message;
	return typeof error === 'string' ? error : 'unknown error';
}

/**
 * Order key. Messages of one conversation must arrive in input order, so they share a key. A message without
 * a conversationId starts a new conversation, but two such messages from the same sender may well be the same
 * person writing twice (klink may even thread them together), so they are keyed by sender and keep their
 * order too. Everything else may go out in parallel.
 */
export function orderKey(body: CustomChannelMessage): string {
	return body.conversationId !== undefined ? `conversation:${body.conversationId}` : `sender:${body.sender.id}`;
}

function readRunIndex(context: IExecuteFunctions): number {
	try {
		const value = context.evaluateExpression('{{ $runIndex }}', 0);
		if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
	} catch {
		// Older n8n without $runIndex in this context: fall back to the execute data.
	}
	const fromExecuteData = context.getExecuteData?.()?.runIndex;
	return typeof fromExecuteData === 'number' ? fromExecuteData : 0;
}

/** Reads and validates one item; never throws. */
function prepareItem(
	context: IExecuteFunctions,
	index: number,
	readers: ReadonlyArray<[MessageField, ItemFieldReader]>,
	scope: { executionId: string; nodeName: string; runIndex: number },
	mask: (text: unknown) => string,
): Prepared {
	const input: MessageFieldsInput = {};
	for (const [field, read] of readers) {
		try {
			input[field] = read(index);
		} catch (error) {
			return {
				index,
				field,
				error: new NodeOperationError(context.getNode(), `Item ${index}: could not read ${field}: ${mask(errorText(error))}`, {
					itemIndex: index,
				}),
			};
		}
	}
	const parsed = parseMessageFields(input);
	if (!parsed.ok) {
		return {
			index,
			field: parsed.field,
			error: new NodeOperationError(context.getNode(), `Item ${index}: ${mask(parsed.message)}`, {
				itemIndex: index,
				description:
					parsed.issues.length > 1 ? `All problems with this item: ${mask(parsed.issues.join('; '))}` : undefined,
			}),
		};
	}
	const { fields } = parsed;
	const messageId =
		fields.messageId ??
		deriveMessageId(scope.executionId, scope.nodeName, index, {
			runIndex: scope.runIndex,
			fingerprint: messageFingerprint({
				content: fields.content,
				senderId: fields.senderId,
				senderName: fields.senderName,
				conversationId: fields.conversationId,
				type: fields.messageType,
			}),
		});
	return { index, body: buildRequestBody(fields, { messageId, now: Date.now() }) };
}

function errorItem(index: number, json: IDataObject): INodeExecutionData {
	return { json, pairedItem: { item: index } };
}

/** Our own error for a failed send: message and description built here, the URL masked, no raw cause. */
function sendFailure(
	context: IExecuteFunctions,
	index: number,
	body: CustomChannelMessage,
	error: unknown,
	mask: (text: unknown) => string,
): NodeApiError | NodeOperationError {
	const node = context.getNode();
	if (error instanceof CustomChannelSendError && error.kind === 'http') {
		const responseBody = mask(error.responseBody ?? '');
		const sanitized: JsonObject = {
			message: mask(error.message),
			statusCode: error.statusCode ?? null,
			body: responseBody,
			attempts: error.attempts,
		};
		return new NodeApiError(node, sanitized, {
			message: `Item ${index}: ${mask(error.message)}`,
			description: `Message ${body.messageId} was not accepted.${responseBody ? ` klink.cloud said: ${responseBody}` : ''}`,
			httpCode: error.statusCode !== undefined ? String(error.statusCode) : undefined,
			itemIndex: index,
		});
	}
	const attempts = error instanceof CustomChannelSendError ? error.attempts : 1;
	const detail = error instanceof CustomChannelSendError && error.detail ? `${mask(error.detail)}. ` : '';
	return new NodeOperationError(node, `Item ${index}: ${mask(errorText(error))}`, {
		itemIndex: index,
		description: `${detail}Message ${body.messageId} could not be delivered (${attempts} attempt${attempts === 1 ? '' : 's'}). It is safe to send it again: klink.cloud ignores a repeat of the same message ID.`,
	});
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	const continueOnFail = this.continueOnFail();

	const credentials = await this.getCredentials<{ inboundUrl?: string }>(CREDENTIAL_TYPE);
	const urlCheck = checkInboundUrl(credentials?.inboundUrl);
	const secret = typeof credentials?.inboundUrl === 'string' ? credentials.inboundUrl : undefined;
	const mask = (text: unknown) => maskSecretUrl(text, secret);

	if (!urlCheck.ok) {
		const message = `Klink Custom Channel credential: ${mask(urlCheck.reason)}`;
		if (!continueOnFail) throw new NodeOperationError(node, message);
		return items.map((_, index) => errorItem(index, { error: message }));
	}
	const url = urlCheck.url;

	const options = parseSendOptions(this.getNodeParameter('options', 0, {}));
	if (!options.ok) throw new NodeOperationError(node, options.message);
	const { concurrency, timeout } = options.options;
	const policy = retryPolicyFrom(options.options);

	const executionId = this.getExecutionId() || `unsaved-${Date.now()}`;
	const scope = { executionId, nodeName: node.name, runIndex: readRunIndex(this) };

	// 1. Validate every item before anything is sent.
	const readers = ITEM_FIELDS.map((field): [MessageField, ItemFieldReader] => [field, itemFieldReader(this, field, items)]);
	const prepared = items.map((_, index) => prepareItem(this, index, readers, scope, mask));
	const invalid = prepared.filter((entry) => !isPrepared(entry));
	if (invalid.length > 0 && !continueOnFail) {
		const first = invalid[0] as { error: NodeOperationError };
		if (invalid.length > 1) {
			first.error.description = `${invalid.length} of ${items.length} items are invalid (items ${invalid
				.map((entry) => entry.index)
				.join(', ')}). Nothing was sent.`;
		} else {
			first.error.description = `${first.error.description ? `${first.error.description} ` : ''}Nothing was sent.`;
		}
		throw first.error;
	}

	// 2. Send the valid ones: one conversation (or sender) in input order, different ones in parallel.
	const results = new Array<INodeExecutionData>(items.length);
	for (const entry of prepared) {
		if (!isPrepared(entry)) {
			results[entry.index] = errorItem(entry.index, {
				error: entry.error.message,
				...(entry.field ? { field: entry.field } : {}),
				...(entry.error.description ? { description: entry.error.description } : {}),
			});
		}
	}
	const ready = prepared.filter(isPrepared);
	const request = n8nHttpRequester(this);
	const sleep = cancellableSleep(this);
	const cancelled = isCancelled(this);
	const logger = this.logger;

	await runByConversation(
		ready,
		(entry) => orderKey(entry.body),
		concurrency,
		async ({ index, body }) => {
			const conversationId = body.conversationId ?? null;
			try {
				const sent = await sendCustomChannelMessage(request, url, body, policy, sleep, {
					timeoutMs: timeout,
					isCancelled: cancelled,
					onAttempt: ({ attempt, decision }) =>
						logger.debug(`Klink: item ${index} attempt ${attempt}: ${decision.reason}`, { messageId: body.messageId }),
				});
				results[index] = {
					json: {
						messageId: body.messageId,
						conversationId,
						statusCode: sent.statusCode,
						attempts: sent.attempts,
						response: sent.response as IDataObject,
					},
					pairedItem: { item: index },
				};
			} catch (error) {
				const failure = sendFailure(this, index, body, error, mask);
				if (!continueOnFail) throw failure;
				results[index] = errorItem(index, {
					error: failure.message,
					...(failure.description ? { description: failure.description } : {}),
					messageId: body.messageId,
					conversationId,
					statusCode: error instanceof CustomChannelSendError ? (error.statusCode ?? null) : null,
					attempts: error instanceof CustomChannelSendError ? error.attempts : 1,
				});
			}
		},
	);

	return results;
}
