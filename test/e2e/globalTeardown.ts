import { readState } from './harness/e2eState';
import { stopN8n } from './harness/n8nInstance';
import { stopQueueTopology } from './harness/queueTopology';

export default async function globalTeardown(): Promise<void> {
	const state = readState();
	// Queue mode: every process stopped; the data (PostgreSQL, user folders) removed, the logs kept.
	if (state.queue) await stopQueueTopology(state.queue, { remove: 'keep-logs' });
	else await stopN8n(state.pid);
}
