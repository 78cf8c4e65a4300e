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

export function forgetActivation(context: IHookFunctions): void {
	delete context.getWorkflowStaticData('node').activation;
}
