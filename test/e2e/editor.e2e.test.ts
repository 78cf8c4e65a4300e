import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

import type { Locator, Page } from 'playwright-core';

import { launchEditorBrowser, nodeCreatorItem, screenshotStep, loadedIcon, Screenshots, signIn, waitUntil, type EditorBrowser } from './harness/browser';
import { readState } from './harness/e2eState';
import { EXAMPLES_DIR, loadExample } from './harness/exampleWorkflows';
import { api, type ApiTarget, type WorkflowNode } from './harness/n8nApi';

/**
 * The package as a person sees it: the real n8n editor in headless Chromium, signed in as the owner,
 * searching the nodes panel for "klink", adding the Klink Trigger and reading its parameters.
 * Selectors are n8n's data-test-id attributes and visible text that 1.x and 2.x share.
 */

let target: ApiTarget;
let shots: Screenshots;
let browser: EditorBrowser;
let page: Page;

const node = (page: Page) => page.locator('[data-test-id="node-creator"]');
const itemNamed = nodeCreatorItem;

const step = (name: string, run: () => Promise<void>) => screenshotStep(shots, page, name, run);

beforeAll(async () => {
	const state = readState();
	target = { baseUrl: state.baseUrl, apiKey: state.apiKey, major: state.major };
	shots = new Screenshots(join(__dirname, 'artifacts', 'screenshots', `editor-n8n${state.major}`));
	console.log(`editor screenshots (n8n ${state.major}.x): ${shots.dir}`);
	browser = await launchEditorBrowser();
	page = browser.page;
});

afterAll(async () => {
	await browser?.close();
	if (shots) console.log(`editor screenshots (n8n ${target.major}.x) in ${shots.dir}:\n  ${shots.list().join('\n  ')}`);
});

describe('the n8n editor with n8n-nodes-klink installed', () => {
	let workflowUrlPath = '';
	let shownWebhookId = '';

	it('signs in as the owner and opens a new workflow', async () => {
		await step('signed-in', async () => {
			await signIn(page, target.baseUrl);
		});
		await step('new-workflow', async () => {
			await page.goto(new URL('/workflow/new', target.baseUrl).toString());
			await page.locator('[data-test-id="canvas-add-button"]').waitFor({ state: 'visible' });
		});
	});

	it('finds the Klink nodes in the nodes panel, with their icons', async () => {
		await step('nodes-panel', async () => {
			await page.locator('[data-test-id="canvas-add-button"]').click();
			await page.locator('[data-test-id="node-creator-search-bar"]').waitFor({ state: 'visible' });
		});

		let klink!: Locator;
		await step('search-klink', async () => {
			await page.locator('[data-test-id="node-creator-search-bar"]').fill('klink');
			// n8n lists a package's trigger and action node as one app, named after the action node.
			klink = itemNamed(node(page), /^Klink$/);
			await klink.waitFor({ state: 'visible' });
		});
		const appIcon = await loadedIcon(klink);
		expect(appIcon.src).toMatch(/\/icons\/n8n-nodes-klink\/.*\/klink(\.dark)?\.svg$/);

		await step('klink-app-triggers-and-actions', async () => {
			await klink.click();
			await itemNamed(node(page), 'On message inbound').waitFor({ state: 'visible' });
			const actions = node(page).locator('[data-test-id="node-creator-category-item"]', { hasText: /^Actions/ });
			await actions.waitFor({ state: 'visible' });
			if (!(await itemNamed(node(page), 'Post a message as the customer').isVisible())) await actions.click();
			await itemNamed(node(page), 'Post a message as the customer').waitFor({ state: 'visible' });
		});

		// The Klink Trigger: one trigger per klink event, each with the Klink icon.
		const triggers = node(page).locator('[data-keyboard-nav-id^="n8n-nodes-klink.klinkTrigger-"]');
		const triggerNames = await triggers.locator('[data-test-id="node-creator-item-name"]').allTextContents();
		expect(triggerNames.map((name) => name.trim())).toEqual(
			expect.arrayContaining(['On all events', 'On message inbound', 'On contact created', 'On message received']),
		);
		expect((await loadedIcon(itemNamed(node(page), 'On message inbound'))).src).toMatch(/\/klink(\.dark)?\.svg$/);

		// The Klink action node: its one action, named for whose message it posts.
		const actionItems = node(page).locator('[data-keyboard-nav-id^="n8n-nodes-klink.klink-"]');
		expect((await actionItems.locator('[data-test-id="node-creator-item-name"]').allTextContents()).map((t) => t.trim())).toEqual([
			'Post a message as the customer',
		]);
		expect((await loadedIcon(itemNamed(node(page), 'Post a message as the customer'))).src).toMatch(/\/klink(\.dark)?\.svg$/);
	});

	it('adds the Klink Trigger and shows its production URL and parameters', async () => {
		const ndv = page.locator('[data-test-id="ndv"]');
		await step('klink-trigger-added', async () => {
			await itemNamed(node(page), 'On message inbound').click();
			await ndv.waitFor({ state: 'visible' });
			await ndv.locator('[data-test-id="node-title-container"]', { hasText: 'Klink Trigger' }).first().waitFor();
		});

		await step('production-webhook-url', async () => {
			await ndv.getByText('Webhook URLs', { exact: true }).click();
			await ndv.locator('[data-test-id="radio-button-production"]').click();
		});
		const url = ndv.getByText(/\/webhook\/[0-9a-f-]{36}\/klink\s*$/);
		await url.first().waitFor({ state: 'visible' });
		const shown = (await url.first().textContent())?.trim() ?? '';
		const base = target.baseUrl.replace(/\/$/, '');
		expect(shown).toMatch(new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/webhook/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/klink$`));
		shownWebhookId = shown.split('/').slice(-2)[0];
		console.log(`n8n ${target.major}.x shows the production URL ${shown}`);

		const parameters = ndv.locator('[data-test-id="node-parameters"]');
		for (const label of ['Authentication', 'Events', 'Filters', 'Options']) {
			await parameters.getByText(label, { exact: true }).first().waitFor({ state: 'visible' });
		}
		await parameters.getByText(/^Copy the Production URL \(Webhook URLs above → Production URL\) into klink\.cloud/).waitFor({ state: 'visible' });
		await parameters.getByText('Credential for Klink Signature API').waitFor({ state: 'visible' });
		expect(await parameters.locator('[data-test-id="parameter-input-authentication"] input').first().inputValue()).toBe('Klink Signature');
		await parameters.getByText('Message Inbound', { exact: true }).first().waitFor({ state: 'visible' });
		expect(await loadedIcon(ndv.locator('[data-test-id="node-title-container"]').locator('xpath=..'))).toMatchObject({
			src: expect.stringMatching(/\/klink(\.dark)?\.svg$/),
		});

		await step('filters-offered', async () => {
			await parameters.getByPlaceholder('Add Filter').click();
			for (const filter of ['AI Agent Rooms', 'Channels', 'Direction', 'Group Chats', 'Keywords', 'Minimum Unread Count', 'Other Channels']) {
				await page.getByRole('option', { name: filter, exact: true }).waitFor({ state: 'visible' });
			}
		});
		await page.keyboard.press('Escape');
	});

	it('keeps the webhook id of the URL it showed when the workflow is saved', async () => {
		await step('back-on-canvas', async () => {
			// 1.x: "Back to canvas"; 2.x: the dialog's close button.
			await page.locator('[data-test-id="back-to-canvas"], [data-test-id="ndv-close-button"]').first().click();
			await page.locator('[data-test-id="ndv"]').waitFor({ state: 'hidden' });
			await page.locator('[data-test-id="canvas-node"]').first().waitFor({ state: 'visible' });
		});
		expect((await loadedIcon(page.locator('[data-test-id="canvas-node"]').first())).src).toMatch(/\/klink(\.dark)?\.svg$/);

		await step('saved', async () => {
			// 1.x saves on the Save button; 2.x saves by itself as the workflow changes.
			const save = page.locator('[data-test-id="workflow-save-button"]');
			if (await save.isVisible()) await save.click();
			workflowUrlPath = await waitUntil('the workflow to have an id', async () => {
				const match = /\/workflow\/([A-Za-z0-9]+)/.exec(new URL(page.url()).pathname);
				return match && match[1] !== 'new' ? match[1] : undefined;
			});
		});
		const trigger = await waitUntil('the saved workflow to hold the Klink Trigger', async () => {
			const workflow = await api<{ nodes: WorkflowNode[] }>(target, 'GET', `/workflows/${workflowUrlPath}`);
			return workflow.nodes.find((n) => n.type === 'n8n-nodes-klink.klinkTrigger');
		});
		expect(trigger).toMatchObject({ name: 'Klink Trigger', typeVersion: 1.1, webhookId: shownWebhookId });
		expect(trigger.parameters).toMatchObject({ events: ['message.inbound'] });
	});
});

describe('the example workflows pasted into the editor', () => {
	const files = readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith('.json')).sort();

	it.each(files)('%s pastes into a new workflow with every node known', async (file) => {
		const example = loadExample(file);
		await page.goto(new URL('/workflow/new', target.baseUrl).toString());
		await page.locator('[data-test-id="canvas-add-button"]').waitFor({ state: 'visible' });
		// What Ctrl+V does with the file's text on the clipboard: n8n reads the paste event's clipboard data.
		const json = readFileSync(join(EXAMPLES_DIR, file), 'utf8');
		await page.evaluate(`(() => {
			const data = new DataTransfer();
			data.setData('text/plain', ${JSON.stringify(json)});
			document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
		})()`);

		const expected = example.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote').map((n) => n.name);
		const canvasNodes = page.locator('[data-test-id="canvas-node"]');
		await waitUntil(`${expected.length} nodes on the canvas`, async () => (await canvasNodes.count()) === expected.length);
		const names = await canvasNodes.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-node-name')));
		expect(names.sort()).toEqual([...expected].sort());
		await page.locator('[data-test-id="canvas-sticky"], [data-test-id="sticky"]').first().waitFor({ state: 'visible' }).catch(() => undefined);

		// Klink Trigger and the Klink node (also as the AI tool variant klinkTool) render with their icon.
		for (const klinkNode of example.nodes.filter((n) => n.type.startsWith('n8n-nodes-klink.'))) {
			const icon = await loadedIcon(canvasNodes.and(page.locator(`[data-node-name="${klinkNode.name}"]`)));
			expect({ node: klinkNode.name, src: icon.src }).toEqual({ node: klinkNode.name, src: expect.stringMatching(/\/klink\.svg$/) });
		}
		await page.locator('[data-test-id="zoom-to-fit"]').click();
		await shots.take(page, `example-${file.replace(/\.json$/, '')}`);
	});
});

describe('the n8n editor in a dark colour scheme', () => {
	let dark: EditorBrowser;

	afterAll(async () => {
		await dark?.close();
	});

	it('shows the dark Klink icon', async () => {
		dark = await launchEditorBrowser({ colorScheme: 'dark' });
		await signIn(dark.page, target.baseUrl);
		await dark.page.goto(new URL('/workflow/new', target.baseUrl).toString());
		await dark.page.locator('[data-test-id="canvas-add-button"]').click();
		await dark.page.locator('[data-test-id="node-creator-search-bar"]').fill('klink');
		const klink = itemNamed(node(dark.page), /^Klink$/);
		await klink.waitFor({ state: 'visible' });
		const icon = await loadedIcon(klink);
		await shots.take(dark.page, 'dark-search-klink');
		expect(icon.src).toMatch(/\/icons\/n8n-nodes-klink\/.*\/klink\.dark\.svg$/);
	});
});
