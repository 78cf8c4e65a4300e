import { randomUUID } from 'crypto';

/** A customer of the two-way Custom Channel example, with the klink conversation the app was given. */
export interface BridgeCustomer {
	customerId: string;
	customerName: string;
	conversationId: string;
}

/**
 * klink's Custom Channel events in the bridge example's concurrency scenario, for the engine and the real-n8n
 * tests alike: the report of a customer's first message (the same event each time it is asked for, as klink
 * resends it) and an agent's reply.
 */
export function bridgeEvents() {
	const echoes = new Map<string, unknown>();
	return {
		echoOf(customer: BridgeCustomer): unknown {
			const echo = echoes.get(customer.customerId) ?? {
				event: 'message.received',
				conversationId: customer.conversationId,
				message: { id: randomUUID(), content: `Hello from ${customer.customerId}`, sender: { role: 'customer', id: customer.customerId, name: customer.customerName }, timestamp: Date.now() },
			};
			echoes.set(customer.customerId, echo);
			return echo;
		},
		replyTo(customer: BridgeCustomer, round: number): unknown {
			return {
				event: 'message.sent',
				conversationId: customer.conversationId,
				message: { id: randomUUID(), content: `Reply ${round} for ${customer.customerId}`, sender: { role: 'agent', name: 'Support Agent' }, timestamp: Date.now() },
			};
		},
	};
}
