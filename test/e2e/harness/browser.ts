import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

import { OWNER, sleepMs } from './n8nInstance';

/** Debian's Chromium; playwright-core brings no browser of its own (and must never download one). */
export const CHROMIUM = process.env.KLINK_CHROMIUM ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

export interface EditorBrowser {
	context: BrowserContext;
	page: Page;
	close(): Promise<void>;
}

/** A headless Chromium with a fresh profile of its own, removed again on close. */
export async function launchEditorBrowser(options: { colorScheme?: 'light' | 'dark' } = {}): Promise<EditorBrowser> {
	const userDataDir = mkdtempSync(join(tmpdir(), 'klink-chromium-'));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: CHROMIUM,
		headless: true,
		args: CHROMIUM_ARGS,
		viewport: { width: 1440, height: 900 },
		colorScheme: options.colorScheme ?? 'light',
		locale: 'en-US',
	});
	context.setDefaultTimeout(30_000);
	const page = context.pages()[0] ?? (await context.newPage());
	return {
		context,
		page,
		async close() {
			await context.close();
			rmSync(userDataDir, { recursive: true, force: true });
		},
	};
}

/** Signs in through n8n's sign-in form (the same in 1.x and 2.x) as the owner the harness created. */
export async function signIn(page: Page, baseUrl: string): Promise<void> {
	await page.goto(new URL('/signin', baseUrl).toString());
	await page.locator('input[name="emailOrLdapLoginId"], input[type="email"]').first().fill(OWNER.email);
	await page.locator('input[name="password"]').fill(OWNER.password);
	await page.locator('[data-test-id="form-submit-button"]').click();
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
}

/** Numbered full-page screenshots in one folder, e.g. 03-node-panel-search.png. */
export class Screenshots {
	private count = 0;

	constructor(readonly dir: string) {
		rmSync(dir, { recursive: true, force: true });
		mkdirSync(dir, { recursive: true });
	}

	async take(page: Page, name: string): Promise<string> {
		this.count++;
		const file = join(this.dir, `${String(this.count).padStart(2, '0')}-${name}.png`);
		await page.screenshot({ path: file });
		return file;
	}

	list(): string[] {
		return readdirSync(this.dir).sort();
	}
}

/** Polls `probe` until it returns a truthy value; returns that value. */
export async function waitUntil<T>(
	what: string,
	probe: () => Promise<T | undefined | null | false>,
	timeoutMs = 15_000,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let last: unknown;
	while (Date.now() < deadline) {
		try {
			const value = await probe();
			if (value) return value;
			last = value;
		} catch (error) {
			last = error;
		}
		await sleepMs(150);
	}
	throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
}

/** The icon <img> inside `scope`, once the browser has loaded it: its src and natural width. */
export async function loadedIcon(scope: Locator): Promise<{ src: string; naturalWidth: number }> {
	const img = scope.locator('img').first();
	await img.waitFor({ state: 'visible' });
	return await waitUntil(`the icon in ${String(scope)} to load`, async () => {
		const icon = await img.evaluate((element) => {
			const image = element as unknown as { src: string; complete: boolean; naturalWidth: number };
			return { src: image.src, complete: image.complete, naturalWidth: image.naturalWidth };
		});
		return icon.complete && icon.naturalWidth > 0 ? { src: icon.src, naturalWidth: icon.naturalWidth } : undefined;
	});
}

/** An entry of n8n's nodes panel (node creator), by its visible name. */
export function nodeCreatorItem(scope: Locator, name: string | RegExp): Locator {
	return scope.locator('[data-test-id="item-iterator-item"]').filter({
		has: scope.page().locator('[data-test-id="node-creator-item-name"]', { hasText: name }),
	});
}

/** Runs one step of an editor walk-through and screenshots the page after it, also when it failed. */
export async function screenshotStep(shots: Screenshots, page: Page, name: string, run: () => Promise<void>): Promise<void> {
	try {
		await run();
	} catch (error) {
		await shots.take(page, `${name}-FAILED`).catch(() => undefined);
		throw error;
	}
	await shots.take(page, name);
}
