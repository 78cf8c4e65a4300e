import { createHash } from 'crypto';

export const DERIVED_MESSAGE_ID_PREFIX = 'n8n-';

export interface MessageIdScope {
	/**
	 * How many times this node already ran in this execution (n8n's `$runIndex`). A node inside a loop
	 * runs once per round with the same item indexes; without the run index those rounds would share ids
	 * and klink would drop every round after the first as a repeat.
	 */
	runIndex?: number;
	/** A fingerprint of the message's own fields (see `messageFingerprint`), for the same reason. */
	fingerprint?: string;
}

/**
 * A message id that is the same every time the same item of the same node run is sent again (n8n's
 * "Retry On Fail", this node's own retries), and different for any other item, node, run or execution.
 * klink recognises repeats by `messageId`, so a retry can never put a second copy into the inbox.
 *
 * The parts are joined with a separator that cannot occur in them unescaped, so ("a", "bc") and ("ab", "c")
 * never hash alike.
 */
export function deriveMessageId(
	executionId: string,
	nodeName: string,
	itemIndex: number,
	scope: MessageIdScope = {},
): string {
	if (!Number.isInteger(itemIndex) || itemIndex < 0) {
		throw new RangeError(`itemIndex must be a non-negative integer, got ${String(itemIndex)}`);
	}
	const parts = [
		'klink-custom-channel/v1',
		executionId,
		nodeName,
		String(scope.runIndex ?? 0),
		String(itemIndex),
		scope.fingerprint ?? '',
	];
	const digest = createHash('sha256')
		.update(parts.map((part) => encodeURIComponent(part)).join('|'))
		.digest('hex');
	return `${DERIVED_MESSAGE_ID_PREFIX}${digest.slice(0, 40)}`;
}

export interface FingerprintFields {
	content: string;
	senderId: string;
	senderName: string;
	conversationId?: string;
	type: string;
}

/**
 * A short digest of what makes one message different from another. The timestamp is left out on purpose:
 * it defaults to "now" and so changes between a send and its retry.
 */
export function messageFingerprint(fields: FingerprintFields): string {
	return createHash('sha256')
		.update(
			JSON.stringify([fields.type, fields.conversationId ?? '', fields.senderId, fields.senderName, fields.content]),
		)
		.digest('hex')
		.slice(0, 32);
}
