/** Typed access to vectors.json, which `npm run vectors` writes from Go's standard library (see README.md). */
import { readFileSync } from 'fs';
import { join } from 'path';

export interface BodyVector {
	name: string;
	input: string;
	normalized?: string;
	normalizedGo122?: string;
	typeError?: string;
	error?: string;
}

export interface QueryVector {
	name: string;
	input: string;
	normalized: string;
}

export interface SignatureVector {
	name: string;
	secret: string;
	method: string;
	url: string;
	query: string;
	body: string;
	signature: string;
	signatureGo122?: string;
}

export interface GoVectors {
	goVersion: string;
	seed: number;
	body: BodyVector[];
	randomBody: BodyVector[];
	query: QueryVector[];
	randomQuery: QueryVector[];
	signature: SignatureVector[];
}

export const goModuleDirectory = __dirname;

export function loadGoVectors(): GoVectors {
	return JSON.parse(readFileSync(join(__dirname, 'vectors.json'), 'utf8')) as GoVectors;
}

export function fromBase64(text: string): Buffer {
	return Buffer.from(text, 'base64');
}
