/** Small statistics for benchmarks: medians and tail percentiles of samples measured in one run. */
export function percentile(samples: number[], p: number): number {
	if (samples.length === 0) return NaN;
	const sorted = [...samples].sort((a, b) => a - b);
	const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[rank];
}

export const median = (samples: number[]) => percentile(samples, 50);

export function ratioLine(label: string, value: number, target: number | undefined): string {
	const verdict = target === undefined ? '' : value <= target ? `  (target <= ${target}x: met)` : `  (target <= ${target}x: NOT met)`;
	return `${label.padEnd(58)} ${value.toFixed(2)}x${verdict}`;
}

export function ms(value: number): string {
	return `${value.toFixed(2)} ms`;
}

/**
 * The order of `count` targets in one round of an interleaved benchmark: a fresh permutation every round
 * (seeded, so runs are comparable), so that no target always follows the same one and meets its leftovers
 * (an execution still being saved) more often than the others do.
 */
export function roundOrder(count: number, round: number): number[] {
	let seed = (round + 1) * 0x9e3779b1;
	const next = () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const order = Array.from({ length: count }, (_, i) => i);
	for (let i = count - 1; i > 0; i--) {
		const j = Math.floor(next() * (i + 1));
		[order[i], order[j]] = [order[j], order[i]];
	}
	return order;
}
