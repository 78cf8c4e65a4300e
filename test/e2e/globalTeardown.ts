import { readState } from './harness/e2eState';
import { stopN8n } from './harness/n8nInstance';

export default async function globalTeardown(): Promise<void> {
	await stopN8n(readState().pid);
}
