import type { ICredentialTestFunctions, ICredentialsDecrypted, INodeCredentialTestResult } from 'n8n-workflow';

import { checkInboundUrl } from '../../../shared/customChannel/inboundUrl';
import { maskSecretUrl } from '../../../shared/customChannel/maskUrl';

/**
 * The credential test behind "Test" in the credential dialog. klink.cloud has no endpoint to check an
 * inbound webhook URL with, and POSTing to it would put a message into somebody's inbox, so this checks the
 * URL on this machine only (https, parseable, host and path present, the usual /custom-channel/.../webhook
 * shape noted when absent) and sends nothing.
 */
export async function klinkCustomChannelApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const raw = credential.data?.inboundUrl;
	const check = checkInboundUrl(raw);
	const secret = typeof raw === 'string' ? raw : undefined;
	if (!check.ok) {
		return { status: 'Error', message: maskSecretUrl(check.reason, secret) };
	}
	const notes = check.notes.length > 0 ? ` ${check.notes.join(' ')}` : '';
	return {
		status: 'OK',
		message: maskSecretUrl(
			`The URL ${check.masked} looks right. It was checked on this machine only: nothing was sent to klink.cloud.${notes}`,
			secret,
		),
	};
}

export const credentialTest = { klinkCustomChannelApiTest };
