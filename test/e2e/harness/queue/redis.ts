import { spawn, spawnSync } from 'child_process';
import { closeSync, mkdirSync, openSync } from 'fs';
import { join } from 'path';

import { sleepMs } from '../n8nInstance';
import { isAlive, stopProcess } from './processes';

/**
 * A Redis server of its own for n8n's queue (Bull): Debian's redis-server as a plain foreground process on
 * 127.0.0.1, its own port and folder, no snapshots or append-only file unless a restart asks to keep the data.
 */
export interface RedisState {
	port: number;
	dir: string;
	logFile: string;
	pid: number;
}

export async function startRedis(dir: string, port: number): Promise<RedisState> {
	mkdirSync(dir, { recursive: true });
	const logFile = join(dir, 'redis.log');
	const log = openSync(logFile, 'a');
	// `--save ''`: no periodic snapshots. A dump.rdb left by a restart that kept the data is loaded at start.
	const child = spawn(
		'redis-server',
		['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'yes'],
		{ stdio: ['ignore', log, log], detached: true, cwd: dir },
	);
	closeSync(log);
	child.unref();
	const state = { port, dir, logFile, pid: child.pid ?? 0 };
	const deadline = Date.now() + 20_000;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} (log: ${logFile})`);
		if (redisCli(state, ['ping']).trim() === 'PONG') return state;
		await sleepMs(100);
	}
	throw new Error(`redis-server did not answer PING on port ${port} within 20 s (log: ${logFile})`);
}

/** One redis-cli command against this server; its output, or '' when the server does not answer. */
export function redisCli(state: Pick<RedisState, 'port'>, args: string[]): string {
	const result = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(state.port), ...args], { encoding: 'utf8', timeout: 10_000 });
	return result.status === 0 ? result.stdout : '';
}

/**
 * Stops Redis gracefully. `keepData` (default) saves the dataset first (SHUTDOWN SAVE writes dump.rdb into
 * its folder), so queued jobs survive a restart; without it the data is gone.
 */
export async function stopRedis(state: RedisState, keepData = true): Promise<void> {
	if (!isAlive(state.pid)) return;
	redisCli(state, ['shutdown', keepData ? 'save' : 'nosave']);
	await stopProcess(state.pid, 15_000);
}

/** A graceful stop and a start on the same port and folder; returns the new state (new pid). */
export async function restartRedis(state: RedisState, keepData = true): Promise<RedisState> {
	await stopRedis(state, keepData);
	return await startRedis(state.dir, state.port);
}

/** The settings n8n reads to use this server for its queue. */
export function redisEnvironment(state: RedisState, prefix: string): Record<string, string> {
	return { QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(state.port), QUEUE_BULL_PREFIX: prefix };
}
