import { readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import type { ApiTarget } from './n8nApi';
import type { InstanceInfo } from './n8nInstance';
import { startN8n, stopN8n } from './n8nInstance';
import type { N8nMajor } from './versions';

/** The instance jest's global setup started, shared with every e2e test file through a small JSON file. */
export function statePath(): string {
	return process.env.KLINK_E2E_STATE ?? join(tmpdir(), `klink-e2e-state-${process.env.N8N_MAJOR ?? '1'}.json`);
}

export function readState(): InstanceInfo {
	return JSON.parse(readFileSync(statePath(), 'utf8')) as InstanceInfo;
}

/** The running instance as a suite addresses it: its public API and its log file. */
export function e2eTarget(): { target: ApiTarget; logFile: string } {
	const state = readState();
	return { target: { baseUrl: state.baseUrl, apiKey: state.apiKey, major: state.major }, logFile: state.logFile };
}

export function writeState(state: InstanceInfo): void {
	writeFileSync(statePath(), JSON.stringify(state, null, 2));
}

export function currentMajor(): N8nMajor {
	return process.env.N8N_MAJOR === '2' ? 2 : 1;
}

/**
 * Stops n8n and starts it again on the same database: what a server restart or an upgrade does.
 * `extraEnv` changes n8n's settings for this start only (the next restart without it restores them).
 */
export async function restartInstance(extraEnv?: Record<string, string>): Promise<InstanceInfo> {
	const state = readState();
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
