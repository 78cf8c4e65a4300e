/**
 * Runs tasks so that tasks with the same key run one after another in input order, while tasks with
 * different keys run side by side, at most `concurrency` at a time. Results come back in input order.
 *
 * Each key is a lane: a worker takes the next lane not yet started (lanes in the order their first task
 * appears in the input) and runs all of its tasks in order before taking another. So at most one task per
 * key is ever in flight, and at most `concurrency` tasks in all.
 *
 * If a task fails, no further task is started; the tasks already running are awaited (nothing is left
 * running in the background) and then the first failure is thrown. Callers that want every task to run
 * whatever happens catch errors inside `run` and return them as values.
 *
 * Pure: no timers, no I/O of its own.
 */
export async function runByConversation<T, R>(
	tasks: readonly T[],
	keyOf: (task: T, index: number) => string,
	concurrency: number,
	run: (task: T, index: number) => Promise<R>,
): Promise<R[]> {
	if (!Number.isInteger(concurrency) || concurrency < 1) {
		throw new RangeError(`concurrency must be a positive integer, got ${String(concurrency)}`);
	}

	const lanes = new Map<string, number[]>();
	tasks.forEach((task, index) => {
		const key = keyOf(task, index);
		const lane = lanes.get(key);
		if (lane) lane.push(index);
		else lanes.set(key, [index]);
	});
	const queue = [...lanes.values()];

	const results = new Array<R>(tasks.length);
	let failed = false;
	let firstError: unknown;

	const worker = async (): Promise<void> => {
		for (let lane = queue.shift(); lane !== undefined && !failed; lane = queue.shift()) {
			for (const index of lane) {
				if (failed) return;
				try {
					results[index] = await run(tasks[index], index);
				} catch (error) {
					if (!failed) {
						failed = true;
						firstError = error;
					}
					return;
				}
			}
		}
	};

	const workers = Array.from({ length: Math.min(concurrency, queue.length) }, () => worker());
	await Promise.all(workers);
	if (failed) throw firstError;
	return results;
}
