import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

/**
 * Reading one parameter for every item without paying n8n's expression engine where it cannot change the
 * result. n8n evaluates a parameter per item through its expression engine (on 2.x inside an isolate), which
 * is most of what a message costs the node on n8n's event loop. Two cases give the same value without it:
 *
 * - a parameter that is not an expression has the same value for every item: it is read once;
 * - `={{ $json.name }}` (also `$json["name"]`), the mapping n8n writes when a field is dragged from the input,
 *   is the item's own `json.name`: n8n's `$json` is the node's input item at the same index (checked against
 *   n8n's own evaluation on the first item, see below). Only a string or a finite number is taken directly;
 *   anything else (missing key, null, objects, dates) goes through `getNodeParameter` for that item, so n8n
 *   decides what it evaluates to.
 *
 * Every other expression is evaluated by n8n for each item, as before.
 */
export type ItemFieldReader = (itemIndex: number) => unknown;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const PLAIN_JSON_FIELD = /^=\{\{\s*\$json(?:\.([A-Za-z_$][\w$]*)|\[\s*(?:"([^"\\]*)"|'([^'\\]*)')\s*\])\s*\}\}$/;

/** The key of a `={{ $json.key }}` / `={{ $json["key"] }}` parameter; undefined for anything else. */
export function plainJsonField(raw: unknown): string | undefined {
	if (typeof raw !== 'string') return undefined;
	const match = PLAIN_JSON_FIELD.exec(raw);
	if (!match) return undefined;
	const key = match[1] ?? match[2] ?? match[3];
	if (key === undefined || key === '') return undefined;
	// Bracketed keys may be any text; `$json.__proto__` and friends are left to n8n.
	if (match[1] !== undefined && !IDENTIFIER.test(key)) return undefined;
	return key;
}

function directValue(json: unknown, key: string): string | number | undefined {
	if (!json || typeof json !== 'object' || !Object.prototype.hasOwnProperty.call(json, key)) return undefined;
	const value = (json as Record<string, unknown>)[key];
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	return undefined;
}

/**
 * A reader for `field`. It throws what `getNodeParameter` throws, for the item that throws it (a constant
 * parameter that cannot be read throws for every item).
 */
export function itemFieldReader(context: IExecuteFunctions, field: string, items: INodeExecutionData[]): ItemFieldReader {
	const evaluate: ItemFieldReader = (itemIndex) => context.getNodeParameter(field, itemIndex, undefined);
	let raw: unknown;
	try {
		raw = context.getNodeParameter(field, 0, undefined, { rawExpressions: true });
	} catch {
		return evaluate;
	}
	if (typeof raw === 'string' && !raw.startsWith('=')) {
		let read: { value: unknown } | { error: unknown };
		try {
			read = { value: evaluate(0) };
		} catch (error) {
			read = { error };
		}
		return () => {
			if ('error' in read) throw read.error;
			return read.value;
		};
	}
	const key = plainJsonField(raw);
	if (key === undefined) return evaluate;
	// n8n's `$json` is the node's connection input, which is the node's input items when it runs as a regular
	// node, but not when it runs as an AI tool (then its input is the tool call, `$json` the agent's item). So the
	// first item that has a direct value is also evaluated by n8n: only when both agree are later items read
	// directly; otherwise n8n evaluates every item.
	let trusted: boolean | undefined;
	return (itemIndex) => {
		const direct = trusted === false ? undefined : directValue(items[itemIndex]?.json, key);
		if (direct === undefined) return evaluate(itemIndex);
		if (trusted) return direct;
		const evaluated = evaluate(itemIndex);
		trusted = evaluated === direct;
		return evaluated;
	};
}
