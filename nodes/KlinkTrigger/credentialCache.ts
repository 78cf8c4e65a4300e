import type { ICredentialDataDecryptedObject, IWebhookFunctions } from 'n8n-workflow';

/**
 * A trigger's credential, kept for a few seconds between requests. n8n loads, decrypts and resolves a node's
 * credential on every request, which is most of what a signed request costs beyond n8n's own work (more still
 * on n8n 2.x). Kept per workflow, node and credential id: choosing another credential takes effect at once; a
 * change to the same credential within CREDENTIAL_CACHE_MS. Expired entries are dropped on the next request of
 * any trigger, so a secret is not kept in memory much longer than that. Test requests always load afresh.
 */
export const CREDENTIAL_CACHE_MS = 5000;

interface CachedCredential {
	data: ICredentialDataDecryptedObject;
	expiresAt: number;
}

const cache = new Map<string, CachedCredential>();

function dropExpired(now: number): void {
	for (const [key, entry] of cache) if (entry.expiresAt <= now) cache.delete(key);
}

export async function getTriggerCredentials(context: IWebhookFunctions, type: string): Promise<ICredentialDataDecryptedObject> {
	if (context.getMode() === 'manual') return await context.getCredentials(type);
	const now = Date.now();
	dropExpired(now);
	const node = context.getNode();
	const key = `${context.getWorkflow().id ?? ''}/${node.id}/${type}/${node.credentials?.[type]?.id ?? ''}`;
	const cached = cache.get(key);
	if (cached) return cached.data;
	const data = await context.getCredentials(type);
	cache.set(key, { data, expiresAt: now + CREDENTIAL_CACHE_MS });
	return data;
}
