import type { IHookFunctions } from 'n8n-workflow';

import { describeUnreachableWebhookUrl } from '../shared/net/publicReachability';

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

export function recordActivation(context: IHookFunctions): void {
	const url = context.getNodeWebhookUrl('default') ?? '';
	const unreachable = describeUnreachableWebhookUrl(url);
	if (unreachable) {
		context.logger.warn(
			`Klink Trigger "${context.getNode().name}": klink.cloud cannot reach ${url} (${unreachable}). ` +
				'Set WEBHOOK_URL (n8n 1.x) or N8N_WEBHOOK_URL (n8n 2.x) to the public address of this n8n.',
		);
	} else {
		context.logger.info(`Klink Trigger "${context.getNode().name}" is listening on ${url}`);
	}
	const record: ActivationRecord = { url, activatedAt: new Date().toISOString() };
	context.getWorkflowStaticData('node').activation = record;
}

export function forgetActivation(context: IHookFunctions): void {
	delete context.getWorkflowStaticData('node').activation;
}
