import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/**
 * Process-wide settings n8n-core reads when its services are first created (lazily, through its DI
 * container), so they are set here, before any node runs. Every engine test imports this module first.
 */

// n8n-core keeps an instance settings file (encryption key, instance id) in N8N_USER_FOLDER: a throwaway
// folder, so that tests never write into a developer's ~/.n8n.
const userFolder = mkdtempSync(join(tmpdir(), 'klink-engine-'));
process.env.N8N_USER_FOLDER = userFolder;
process.on('exit', () => rmSync(userFolder, { recursive: true, force: true }));
// n8n's logger prints nothing; tests read what it was given instead (below).
process.env.N8N_LOG_LEVEL = 'silent';

export interface LogLine {
	level: 'error' | 'warn' | 'info' | 'debug';
	message: string;
	metadata?: unknown;
}

/** Everything nodes and the engine handed to n8n's logger (`this.logger` in a node) since the last clear. */
export const engineLog: LogLine[] = [];

const logger = Container.get(Logger);
for (const level of ['error', 'warn', 'info', 'debug'] as const) {
	const original = logger[level].bind(logger);
	logger[level] = (message, metadata) => {
		engineLog.push({ level, message, metadata });
		original(message, metadata);
	};
}

export function clearEngineLog(): void {
	engineLog.length = 0;
}

/** All log lines as one text, for "the secret appears nowhere" checks. */
export function engineLogText(): string {
	return engineLog.map((line) => `${line.level} ${line.message} ${JSON.stringify(line.metadata ?? null)}`).join('\n');
}
