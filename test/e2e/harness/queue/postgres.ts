import { spawnSync } from 'child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';

import { isAlive } from './processes';

/**
 * A PostgreSQL server of its own for n8n's queue mode: Debian's binaries (/usr/lib/postgresql/<version>/bin),
 * a data folder under the topology's folder, 127.0.0.1 only, its own port, its socket in its own folder.
 * The server refuses to run as root, so as root every command runs as the `postgres` user Debian creates;
 * the folder must then be one that user can enter (not under /root).
 */
export interface PostgresState {
	port: number;
	/** Owned by the server's user: data/ (the cluster), postgres.log, the socket. */
	dir: string;
	dataDir: string;
	logFile: string;
	database: string;
	user: string;
	password: string;
}

const SERVER_USER = 'postgres';

/** The newest PostgreSQL under /usr/lib/postgresql that has initdb. */
export function postgresBinDir(): string {
	const root = '/usr/lib/postgresql';
	const versions = existsSync(root)
		? readdirSync(root)
				.filter((name) => existsSync(join(root, name, 'bin', 'initdb')))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	if (versions.length === 0) throw new Error('PostgreSQL is not installed: run scripts/ensure-system-deps.sh (as root)');
	return join(root, versions[0], 'bin');
}

/** Runs one of PostgreSQL's programs, as the `postgres` user when this process is root. */
function pg(program: string, args: string[], input?: string): string {
	const bin = join(postgresBinDir(), program);
	const asRoot = process.getuid?.() === 0;
	const [command, commandArgs] = asRoot ? ['runuser', ['-u', SERVER_USER, '--', bin, ...args]] : [bin, args];
	const result = spawnSync(command, commandArgs, { encoding: 'utf8', input, cwd: '/' });
	if (result.status !== 0) {
		throw new Error(`${program} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`);
	}
	return result.stdout;
}

function giveToServerUser(path: string): void {
	if (process.getuid?.() !== 0) return;
	const ids = spawnSync('id', ['-u', SERVER_USER], { encoding: 'utf8' });
	const gids = spawnSync('id', ['-g', SERVER_USER], { encoding: 'utf8' });
	if (ids.status !== 0) throw new Error(`no "${SERVER_USER}" user to run PostgreSQL as (install Debian's postgresql)`);
	chownSync(path, Number(ids.stdout.trim()), Number(gids.stdout.trim()));
}

/** Creates the cluster (initdb), starts it and creates n8n's database and user. */
export function initPostgres(dir: string, port: number): PostgresState {
	mkdirSync(dir, { recursive: true, mode: 0o700 });
	giveToServerUser(dir);
	if (process.getuid?.() === 0 && spawnSync('runuser', ['-u', SERVER_USER, '--', 'test', '-w', dir]).status !== 0) {
		throw new Error(`the "${SERVER_USER}" user cannot enter ${dir}: use a folder outside /root (e.g. TMPDIR=/tmp)`);
	}
	const state: PostgresState = {
		port,
		dir,
		dataDir: join(dir, 'data'),
		logFile: join(dir, 'postgres.log'),
		database: 'n8n',
		user: 'n8n',
		password: 'klink-queue-db-password-not-a-secret',
	};
	// Local (socket) connections are trusted, TCP ones need the password: n8n connects over TCP.
	pg('initdb', ['-D', state.dataDir, '-U', SERVER_USER, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-instructions']);
	const conf = join(state.dataDir, 'postgresql.conf');
	writeFileSync(
		conf,
		`${readFileSync(conf, 'utf8')}\n# n8n-nodes-klink queue topology\nlisten_addresses = '127.0.0.1'\nport = ${port}\n` +
			`unix_socket_directories = '${dir}'\nmax_connections = 100\nshared_buffers = 64MB\nfsync = off\nsynchronous_commit = off\n`,
	);
	startPostgres(state);
	try {
		createDatabase(state);
	} catch (error) {
		stopPostgres(state);
		throw error;
	}
	return state;
}

function createDatabase(state: PostgresState): void {
	const sql =
		`CREATE USER ${state.user} WITH PASSWORD '${state.password}';\n` +
		`CREATE DATABASE ${state.database} OWNER ${state.user};\n`;
	pg('psql', ['-h', state.dir, '-p', String(state.port), '-U', SERVER_USER, '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-q', '-f', '-'], sql);
}

/** Starts the server (pg_ctl, which waits until it accepts connections); the pid is in postmaster.pid. */
export function startPostgres(state: PostgresState): number {
	pg('pg_ctl', ['-D', state.dataDir, '-l', state.logFile, '-w', '-t', '60', 'start']);
	return postgresPid(state) ?? 0;
}

/** Stops the server: `fast` disconnects clients and shuts down cleanly, `immediate` is a crash. */
export function stopPostgres(state: PostgresState, mode: 'fast' | 'immediate' = 'fast'): void {
	if (!isAlive(postgresPid(state))) return;
	pg('pg_ctl', ['-D', state.dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
}

/** A graceful restart on the same port and data folder. */
export function restartPostgres(state: PostgresState): number {
	stopPostgres(state);
	return startPostgres(state);
}

export function postgresPid(state: PostgresState): number | undefined {
	const pidFile = join(state.dataDir, 'postmaster.pid');
	if (!existsSync(pidFile)) return undefined;
	const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
	return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The settings n8n reads to use this database. */
export function postgresEnvironment(state: PostgresState): Record<string, string> {
	return {
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(state.port),
		DB_POSTGRESDB_DATABASE: state.database,
		DB_POSTGRESDB_USER: state.user,
		DB_POSTGRESDB_PASSWORD: state.password,
		DB_POSTGRESDB_SCHEMA: 'public',
		// n8n's default is 2 connections per process: with 50 requests in flight on a webhook process n8n 2.x
		// (which answers after storing the execution) waits past klink's 10 s for a connection. 10 per process,
		// 50 for the topology, is within PostgreSQL's default of 100.
		DB_POSTGRESDB_POOL_SIZE: '10',
	};
}
