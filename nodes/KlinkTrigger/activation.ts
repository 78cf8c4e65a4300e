import type { IHookFunctions } from 'n8n-workflow';

import { unreachableWebhookUrlWarning } from '../shared/net/publicReachability';

interface ActivationRecord {
	url: string;
	activatedAt: string;
}

function activationOf(context: IHookFunctions): ActivationRecord | undefined {
	return context.getWorkflowStaticData('node').activation as ActivationRecord | undefined;
}

/** True when this node was activated before with the same URL, so n8n need not call create again. */
export function isActivationRecorded(context: IHookFunctions): boolean {
	return activationOf(context)?.url === context.getNodeWebhookUrl('default');
}

/**
 * Warns in n8n's log when klink cannot reach the Production URL, once per activation: n8n calls create only
 * when checkExists finds no record for this URL. "Listen for test event" calls create too (mode manual);
 * the warning then goes into the test run's output (see handleKlinkWebhook), not into the log again.
 */
export function recordActivation(context: IHookFunctions): void {
	const url = context.getNodeWebhookUrl('default') ?? '';
	if (context.getMode() !== 'manual') {
		const warning = unreachableWebhookUrlWarning(url);
		if (warning) context.logger.warn(`Klink Trigger "${context.getNode().name}": ${warning}`);
		else context.logger.info(`Klink Trigger "${context.getNode().name}" is listening on ${url}`);
	}
	const record: ActivationRecord = { url, activatedAt: new Date().toISOString() };
	context.getWorkflowStaticData('node').activation = record;
}

/**
 * Warns in n8n's log at every activation (n8n calls checkExists each time) of a setting that costs events or
 * speed: Answer klink.cloud set to Immediately (klink stops retrying events n8n may still fail to store), and
 * type version 1 (on n8n 2.x every request to it takes an expression isolate; the editor says so too).
 */
export function warnAtActivation(context: IHookFunctions): void {
	if (context.getMode() === 'manual') return;
	const name = context.getNode().name;
	const options = context.getNodeParameter('options', {}) as { answerWhen?: string };
	if (options.answerWhen === 'immediately') {
		context.logger.warn(
			`Klink Trigger "${name}": Answer klink.cloud is set to Immediately, so klink.cloud is answered before n8n ` +
				`stores each execution, and an event n8n then fails to store (under load, or in queue mode) is lost: ` +
				`set it to When the Execution Is Stored`,
		);
	}
	if (context.getNode().typeVersion === 1) {
		context.logger.warn(
			`Klink Trigger "${name}" is version 1: on n8n 2.x, n8n evaluates an expression for every request to it, which ` +
				`takes an expression isolate and answers klink.cloud more slowly under load; replace it with a new Klink ` +
				`Trigger (version 1.1) with the same settings`,
		);
	}
}

export function forgetActivation(context: IHookFunctions): void {
	delete context.getWorkflowStaticData('node').activation;
}
