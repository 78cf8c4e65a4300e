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
