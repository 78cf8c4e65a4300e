/** Request headers as Node gives them: lower-cased names, repeated headers as arrays. */
export type RequestHeaders = Record<string, string | string[] | undefined>;

/** The first value of header `name`, whatever the case of the stored names. */
export function readHeader(headers: RequestHeaders, name: string): string | undefined {
	const lowered = name.toLowerCase();
	let value = headers[lowered];
	if (value === undefined) {
		// Node lower-cases incoming header names; other callers may not.
		const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === lowered);
		value = key === undefined ? undefined : headers[key];
	}
	return Array.isArray(value) ? value[0] : value;
}
