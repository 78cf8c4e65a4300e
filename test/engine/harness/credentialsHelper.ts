import {
	ICredentialsHelper,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IHttpRequestOptions,
	type INodeCredentialsDetails,
	type INodeProperties,
} from 'n8n-workflow';

import type { EngineNodeTypes } from './nodeTypes';

/** Credential data by credential type: what the tests give the nodes instead of n8n's encrypted database. */
export type CredentialsByType = Record<string, ICredentialDataDecryptedObject>;

/** Credential data by the id a node's credential reference carries: for nodes that use different credentials of one type. */
export type CredentialsById = Record<string, ICredentialDataDecryptedObject>;

/** `={{ $credentials.accessToken }}` and `Bearer {{$credentials.accessToken}}` with the credential's values. */
function fillIn(template: unknown, credentials: ICredentialDataDecryptedObject): unknown {
	if (typeof template !== 'string') return template;
	const text = template.startsWith('=') ? template.slice(1) : template;
	return text.replace(/\{\{\s*\$credentials\.(\w+)\s*\}\}/g, (_match, key: string) => String(credentials[key] ?? ''));
}

function fillInAll(section: IDataObject | undefined, credentials: ICredentialDataDecryptedObject): IDataObject {
	const filled: IDataObject = {};
	for (const [key, value] of Object.entries(section ?? {})) {
		filled[String(fillIn(key, credentials))] = fillIn(value, credentials) as IDataObject[string];
	}
	return filled;
}

/**
 * n8n's credentials helper, for an in-process run: credentials come from the test, and a credential type's
 * `authenticate` rules are applied the way n8n applies them (a function is called; a generic rule's
 * `{{$credentials.x}}` templates are filled in and merged into the request's headers, query and body).
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly credentials: CredentialsByType,
		private readonly types: EngineNodeTypes,
		private readonly byId: CredentialsById = {},
	) {
		super();
	}

	async getDecrypted(_additionalData: unknown, nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentialDataDecryptedObject> {
		const data = (nodeCredentials.id ? this.byId[nodeCredentials.id] : undefined) ?? this.credentials[type];
		if (!data) throw new Error(`the test gave no credential of type ${type}`);
		return structuredClone(data);
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const type = await this.types.loadCredential(typeName);
		const rule = type?.authenticate;
		if (!rule) return requestOptions;
		if (typeof rule === 'function') return await rule(credentials, requestOptions);
		const { headers, qs, body, auth } = rule.properties;
		const authenticated = { ...requestOptions };
		if (headers) authenticated.headers = { ...requestOptions.headers, ...fillInAll(headers, credentials) };
		if (qs) authenticated.qs = { ...requestOptions.qs, ...fillInAll(qs, credentials) };
		if (body) authenticated.body = { ...(requestOptions.body as IDataObject), ...fillInAll(body, credentials) };
		if (auth) authenticated.auth = fillInAll(auth as IDataObject, credentials) as unknown as IHttpRequestOptions['auth'];
		return authenticated;
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	getParentTypes(name: string): string[] {
		const parents = this.types.getCredential(name)?.extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.types.getCredential(type)?.properties ?? [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async getCredentials(): Promise<never> {
		throw new Error('encrypted credentials are not part of an in-process run');
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}
}
