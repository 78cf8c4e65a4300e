import { runByConversation } from './conversationScheduler';

interface Task {
	key: string;
	label: string;
}

/** A task whose completion the test controls, to look at what is running at a given moment. */
function controllable() {
	const events: string[] = [];
	const pending = new Map<string, () => void>();
	let running = 0;
	let maxRunning = 0;
	const runningKeys = new Map<string, number>();
	let maxPerKey = 0;
	const run = (task: Task) =>
		new Promise<string>((resolve) => {
			running += 1;
			maxRunning = Math.max(maxRunning, running);
			runningKeys.set(task.key, (runningKeys.get(task.key) ?? 0) + 1);
			maxPerKey = Math.max(maxPerKey, runningKeys.get(task.key) ?? 0);
			events.push(`start ${task.label}`);
			pending.set(task.label, () => {
				running -= 1;
				runningKeys.set(task.key, (runningKeys.get(task.key) ?? 1) - 1);
				events.push(`end ${task.label}`);
				resolve(`done ${task.label}`);
			});
		});
	const finish = async (label: string) => {
		const done = pending.get(label);
		if (!done) throw new Error(`${label} is not running (running: ${[...pending.keys()].join(', ')})`);
		pending.delete(label);
		done();
		await flush();
	};
	return {
		run,
		finish,
		events,
		started: () => [...pending.keys()],
		stats: () => ({ maxRunning, maxPerKey }),
	};
}

/** Lets every promise that can settle settle. */
async function flush() {
	for (let i = 0; i < 20; i += 1) await Promise.resolve();
}

const t = (key: string, label: string): Task => ({ key, label });

describe('runByConversation', () => {
	it('runs tasks of one key one after another, in input order', async () => {
		const c = controllable();
		const tasks = [t('A', 'a1'), t('A', 'a2'), t('A', 'a3')];
		const done = runByConversation(tasks, (task) => task.key, 5, c.run);
		await flush();
		expect(c.started()).toEqual(['a1']);
		await c.finish('a1');
		expect(c.started()).toEqual(['a2']);
		await c.finish('a2');
		await c.finish('a3');
		expect(await done).toEqual(['done a1', 'done a2', 'done a3']);
		expect(c.events).toEqual(['start a1', 'end a1', 'start a2', 'end a2', 'start a3', 'end a3']);
	});

	it('runs different keys side by side, bounded by concurrency', async () => {
		const c = controllable();
		const tasks = ['A', 'B', 'C', 'D', 'E'].map((key) => t(key, key.toLowerCase()));
		const done = runByConversation(tasks, (task) => task.key, 2, c.run);
		await flush();
		expect(c.started()).toEqual(['a', 'b']);
		await c.finish('b');
		expect(c.started()).toEqual(['a', 'c']);
		await c.finish('a');
		await c.finish('c');
		expect(c.started()).toEqual(['d', 'e']);
		await c.finish('e');
		await c.finish('d');
		expect(await done).toEqual(['done a', 'done b', 'done c', 'done d', 'done e']);
		expect(c.stats().maxRunning).toBe(2);
	});

	it('returns results in input order whatever order tasks finish in', async () => {
		const c = controllable();
		const tasks = [t('A', 'a1'), t('B', 'b1'), t('A', 'a2'), t('C', 'c1'), t('B', 'b2')];
		const done = runByConversation(tasks, (task) => task.key, 3, c.run);
		await flush();
		expect(c.started()).toEqual(['a1', 'b1', 'c1']);
		await c.finish('c1');
		await c.finish('b1');
		expect(c.started()).toEqual(['a1', 'b2']);
		await c.finish('b2');
		await c.finish('a1');
		await c.finish('a2');
		expect(await done).toEqual(['done a1', 'done b1', 'done a2', 'done c1', 'done b2']);
		expect(c.stats()).toEqual({ maxRunning: 3, maxPerKey: 1 });
	});

	it('keeps the order within each key under random timing and never exceeds the limits', async () => {
		// A seeded generator keeps the test reproducible.
		let seed = 12345;
		const random = () => {
			seed = (seed * 1103515245 + 12345) % 2 ** 31;
			return seed / 2 ** 31;
		};
		const keys = ['A', 'B', 'C', 'D', 'E', 'F', 'G'];
		const tasks = Array.from({ length: 200 }, (_, index) => t(keys[Math.floor(random() * keys.length)], String(index)));
		const perKeyOrder = new Map<string, number[]>();
		let running = 0;
		let maxRunning = 0;
		const inFlight = new Set<string>();
		const results = await runByConversation(
			tasks,
			(task) => task.key,
			4,
			async (task, index) => {
				expect(inFlight.has(task.key)).toBe(false);
				inFlight.add(task.key);
				running += 1;
				maxRunning = Math.max(maxRunning, running);
				const ticks = Math.floor(random() * 5);
				for (let i = 0; i < ticks; i += 1) await Promise.resolve();
				perKeyOrder.set(task.key, [...(perKeyOrder.get(task.key) ?? []), index]);
				running -= 1;
				inFlight.delete(task.key);
				return index;
			},
		);
		expect(results).toEqual(tasks.map((_, index) => index));
		for (const order of perKeyOrder.values()) expect(order).toEqual([...order].sort((a, b) => a - b));
		expect(maxRunning).toBe(4);
	});

	it('with concurrency 1 runs everything in input order of first appearance per key', async () => {
		const order: string[] = [];
		const tasks = [t('A', 'a1'), t('B', 'b1'), t('A', 'a2')];
		await runByConversation(tasks, (task) => task.key, 1, async (task) => {
			order.push(task.label);
		});
		expect(order).toEqual(['a1', 'a2', 'b1']);
	});

	it('stops starting tasks after a failure, waits for running ones, then throws the first error', async () => {
		const c = controllable();
		const boom = new Error('boom');
		const tasks = [t('A', 'a1'), t('B', 'b1'), t('A', 'a2'), t('C', 'c1')];
		let settled = false;
		const done = runByConversation(tasks, (task) => task.key, 2, (task) =>
			task.label === 'a1' ? Promise.reject(boom) : c.run(task),
		).finally(() => {
			settled = true;
		});
		const outcome = expect(done).rejects.toBe(boom);
		await flush();
		expect(c.started()).toEqual(['b1']);
		expect(settled).toBe(false); // b1 is still running
		await c.finish('b1');
		await outcome;
		expect(c.events).toEqual(['start b1', 'end b1']); // a2 and c1 never started
	});

	it('handles no tasks and a synchronous throw', async () => {
		expect(await runByConversation([], () => 'k', 3, async () => 1)).toEqual([]);
		await expect(
			runByConversation([1], () => 'k', 1, () => {
				throw new Error('sync');
			}),
		).rejects.toThrow('sync');
	});

	it('rejects a concurrency that is not a positive integer', async () => {
		await expect(runByConversation([1], () => 'k', 0, async () => 1)).rejects.toThrow(RangeError);
		await expect(runByConversation([1], () => 'k', 1.5, async () => 1)).rejects.toThrow(RangeError);
	});
});
