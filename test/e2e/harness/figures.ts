import { appendFileSync } from 'fs';

/**
 * Prints a suite's figures and, when KLINK_FIGURES_FILE is set (`npm run soak`), adds them to that file, from
 * which the soak writes its results page: figures a command produces are written by that command.
 */
export function reportFigures(title: string, lines: string[]): void {
	console.log(`${title}\n  ${lines.join('\n  ')}`);
	const file = process.env.KLINK_FIGURES_FILE;
	if (file) appendFileSync(file, `${title}\n${lines.map((line) => `- ${line}`).join('\n')}\n\n`);
}
