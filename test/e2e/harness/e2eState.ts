import { readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import type { ApiTarget } from './n8nApi';
import type { InstanceInfo } from './n8nInstance';
import { startN8n, stopN8n } from './n8nInstance';
import { readN8nLogs as readQueueLogs, restartN8nProcesses, type QueueTopology } from './queueTopology';
import type { N8nMajor } from './versions';

/** The instance jest's global setup started, shared with every e2e test file through a small JSON file. */
export function statePath(): string {
	const queue = queueMode() ? 'queue-' : '';
	return process.env.KLINK_E2E_STATE ?? join(tmpdir(), `klink-e2e-state-${queue}${process.env.N8N_MAJOR ?? '1'}.json`);
}

export function readState(): InstanceInfo {
	return JSON.parse(readFileSync(statePath(), 'utf8')) as InstanceInfo;
}

/** The running instance as a suite addresses it: its public API (and webhook base) and its log file. */
export function e2eTarget(): { target: ApiTarget; logFile: string } {
	const state = readState();
	return { target: apiTarget(state), logFile: state.logFile };
}

export function apiTarget(state: InstanceInfo): ApiTarget {
	return {
		baseUrl: state.baseUrl,
		apiKey: state.apiKey,
		major: state.major,
		...(state.webhookBaseUrl ? { webhookBaseUrl: state.webhookBaseUrl } : {}),
	};
}

export function writeState(state: InstanceInfo): void {
	writeFileSync(statePath(), JSON.stringify(state, null, 2));
}

export function currentMajor(): N8nMajor {
	return process.env.N8N_MAJOR === '2' ? 2 : 1;
}

/** KLINK_E2E_QUEUE=1: the suites run against n8n in queue mode (see queueTopology.ts). */
export function queueMode(): boolean {
	return process.env.KLINK_E2E_QUEUE === '1' || process.env.KLINK_E2E_QUEUE === 'true';
}

/** The queue-mode topology of this run; throws when the run is not in queue mode. */
export function readQueue(): QueueTopology {
	const { queue } = readState();
	if (!queue) throw new Error('this e2e run is not in queue mode (KLINK_E2E_QUEUE=1)');
	return queue;
}

/** Stores a changed topology (new pids after a restart) for the other suites and the global teardown. */
export function writeQueue(queue: QueueTopology): void {
	writeState({ ...readState(), queue, pid: queue.main.pid });
}

/** Everything n8n logged in this run: the instance's log, or in queue mode every n8n process's log. */
export function readN8nLogs(): string {
	const state = readState();
	return state.queue ? readQueueLogs(state.queue) : readFileSync(state.logFile, 'utf8');
}

/**
 * Stops n8n and starts it again on the same database: what a server restart or an upgrade does (in queue mode:
 * every n8n process, main first; PostgreSQL, Redis and nginx keep running).
 * `extraEnv` changes n8n's settings for this start only (the next restart without it restores them).
 */
export async function restartInstance(extraEnv?: Record<string, string>): Promise<InstanceInfo> {
	const state = readState();
	if (state.queue) {
		const queue = await restartN8nProcesses(state.queue, extraEnv);
		const next = { ...state, queue, pid: queue.main.pid };
		writeState(next);
		return next;
	}
	await stopN8n(state.pid);
	const child = await startN8n({
		major: state.major,
		port: state.port,
		brokerPort: state.brokerPort,
		userFolder: state.userFolder,
		logFile: state.logFile,
		extraEnv,
	});
	const next = { ...state, pid: child.pid ?? 0 };
	writeState(next);
	return next;
}
