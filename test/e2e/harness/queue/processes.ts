import { readFileSync } from 'fs';
import { connect } from 'net';

import { sleepMs } from '../n8nInstance';

/** Small process and port helpers shared by the queue-mode topology's parts. */

/** Whether `pid` runs (a zombie, exited but not yet reaped by its parent, does not count). */
export function isAlive(pid: number | undefined): boolean {
	if (!pid) return false;
	try {
		process.kill(pid, 0);
	} catch {
		return false;
	}
	return !isZombie(pid);
}

function signal(pid: number, name: NodeJS.Signals, group: boolean): void {
	try {
		process.kill(group ? -pid : pid, name);
	} catch {
		// already gone
	}
}

/**
 * Stops a process: SIGTERM to the process itself (n8n, redis and nginx shut down cleanly on it), then, if it
 * still runs after `graceMs`, SIGKILL to its whole process group (it was spawned detached, as the group's
 * leader, so children such as n8n's task runner go with it).
 */
export async function stopProcess(pid: number | undefined, graceMs = 35_000): Promise<void> {
	if (!pid || !isAlive(pid)) return;
	signal(pid, 'SIGTERM', false);
	const deadline = Date.now() + graceMs;
	while (Date.now() < deadline) {
		if (!isAlive(pid)) break;
		await sleepMs(100);
	}
	signal(pid, 'SIGKILL', true);
	signal(pid, 'SIGKILL', false);
	await waitForExit(pid);
}

/** SIGKILL to a detached process's whole group (the process and its children): a crash, no clean-up. */
export async function killProcessGroup(pid: number | undefined): Promise<void> {
	if (!pid) return;
	signal(pid, 'SIGKILL', true);
	signal(pid, 'SIGKILL', false);
	await waitForExit(pid);
}

async function waitForExit(pid: number, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (isAlive(pid) && Date.now() < deadline) await sleepMs(50);
}

function isZombie(pid: number): boolean {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
	} catch {
		return true;
	}
}

/** Resolves once nothing accepts TCP connections on 127.0.0.1:`port` any more. */
export async function waitForPortClosed(port: number, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (!(await portAnswers(port))) return;
		await sleepMs(50);
	}
	throw new Error(`127.0.0.1:${port} still accepts connections ${timeoutMs} ms after its process was killed`);
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`. */
export async function waitForPort(port: number, timeoutMs = 30_000, what = `port ${port}`): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (await portAnswers(port)) return;
		await sleepMs(100);
	}
	throw new Error(`${what} did not accept connections within ${timeoutMs} ms`);
}

export function portAnswers(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = connect({ host: '127.0.0.1', port });
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

/** Throws if any of `ports` already has a listener: the topology never shares a port with someone else's process. */
export async function assertPortsFree(ports: number[]): Promise<void> {
	const taken: number[] = [];
	for (const port of ports) if (await portAnswers(port)) taken.push(port);
	if (taken.length > 0) throw new Error(`ports already in use on 127.0.0.1: ${taken.join(', ')} (choose another base port)`);
}
