import { nodesUsingStaticData } from './staticDataUsers';

describe('nodesUsingStaticData', () => {
	const code = (name: string, jsCode: string, disabled?: boolean) => ({ name, disabled, parameters: { mode: 'runOnceForAllItems', jsCode } });

	it('finds Code nodes (JavaScript and Python), old Function nodes and expressions that reach static data', () => {
		const nodes = [
			code('Learn conversation', "const memory = $getWorkflowStaticData('global');\nmemory.seen = true;"),
			{ name: 'Python', parameters: { language: 'python', pythonCode: "data = _getWorkflowStaticData('node')" } },
			{ name: 'Function', parameters: { functionCode: "const s = getWorkflowStaticData('global');" } },
			{ name: 'Set', parameters: { assignments: { assignments: [{ value: "={{ $getWorkflowStaticData('global').count }}" }] } } },
			code('Format', 'return $input.all();'),
			{ name: 'No parameters' },
		];
		expect(nodesUsingStaticData(nodes)).toEqual(['Learn conversation', 'Python', 'Function', 'Set']);
	});

	it('leaves out disabled nodes and the asking node itself', () => {
		const nodes = [code('Off', "$getWorkflowStaticData('global')", true), code('Klink Trigger', "$getWorkflowStaticData('node')"), code('On', "$getWorkflowStaticData('global')")];
		expect(nodesUsingStaticData(nodes, 'Klink Trigger')).toEqual(['On']);
	});

	it('stops at a nesting no node parameter reaches instead of recursing without end', () => {
		let deep: Record<string, unknown> = { code: "$getWorkflowStaticData('global')" };
		for (let i = 0; i < 100; i++) deep = { inner: deep };
		const cyclic: Record<string, unknown> = {};
		cyclic.self = cyclic;
		expect(nodesUsingStaticData([{ name: 'Deep', parameters: deep }, { name: 'Cyclic', parameters: cyclic }])).toEqual([]);
	});
});
