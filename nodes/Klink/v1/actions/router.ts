import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import * as message from './message/Message.resource';

/** Dispatches to the operation the node is set to. Resource and operation are the same for every item. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;

	if (resource === 'message' && operation === 'send') {
		return [await message.send.execute.call(this, items)];
	}
	throw new NodeOperationError(this.getNode(), `The operation "${operation}" of resource "${resource}" is not supported`);
}
