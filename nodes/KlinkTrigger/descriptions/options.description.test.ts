import { NodeHelpers, type INodeProperties } from 'n8n-workflow';

import { KlinkTrigger } from '../KlinkTrigger.node';
import { optionsProperty } from './options.description';

const description = new KlinkTrigger().description;

/** The options of the Options collection n8n's editor offers a node of this version, by n8n's own rules. */
function offeredOptions(typeVersion: number): INodeProperties[] {
	return (optionsProperty.options as INodeProperties[]).filter((option) =>
		NodeHelpers.displayParameter({}, option, { typeVersion }, description, {}),
	);
}

describe('Klink Trigger options by node version', () => {
	it('is offered in versions 1 and 1.1, new nodes getting 1.1', () => {
		expect(description.version).toEqual([1, 1.1]);
		expect(description.defaultVersion).toBeUndefined();
	});

	// Version 1 answered at once by default until that lost answered events on n8n 2.x (queue mode, load).
	it.each([
		[1, 'stored'],
		[1.1, 'stored'],
	])('version %s offers Answer klink.cloud once, defaulting to %s', (typeVersion, expected) => {
		const answer = offeredOptions(typeVersion).filter((option) => option.name === 'answerWhen');
		expect(answer.map((option) => option.default)).toEqual([expected]);
		expect((answer[0].options as Array<{ value: string }>).map((option) => option.value)).toEqual(['immediately', 'stored']);
	});

	it('offers every other option in both versions, once each', () => {
		const names = (typeVersion: number) => offeredOptions(typeVersion).map((option) => option.name);
		expect(names(1)).toEqual(names(1.1));
		expect(new Set(names(1.1)).size).toBe(names(1.1).length);
	});
});

describe('Klink Trigger notice for version 1', () => {
	const shown = (typeVersion: number) =>
		description.properties.filter((property) => property.type === 'notice' && NodeHelpers.displayParameter({}, property, { typeVersion }, description, {})).map((property) => property.name);

	it('tells a version 1 node, and only that one, to be replaced by a new trigger', () => {
		expect(shown(1)).toEqual(['setupNotice', 'versionOneNotice']);
		expect(shown(1.1)).toEqual(['setupNotice']);
	});
});
