/**
 * Thrown for a non-empty body that Go's json.Unmarshal would reject as a syntax error (klink cannot have signed
 * it). The caller answers 401 "body is not JSON". The message gives an offset only, never body content.
 */
export class BodyNotJsonError extends Error {
	constructor(
		readonly offset: number,
		detail: string,
	) {
		super(`body is not JSON: ${detail} at byte ${offset}`);
		this.name = 'BodyNotJsonError';
	}
}
