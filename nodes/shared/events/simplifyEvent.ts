import type { KlinkEventView } from './klinkEvent';

/** The item a workflow sees by default: the fields people route and template on, under stable names. */
export interface SimplifiedKlinkEvent {
	event: string;
	messageId: string | null;
	conversationId: string | null;
	contactId: string | null;
	channel: string | null;
	direction: 'incoming' | 'outgoing' | null;
	text: string | null;
	sender: { id: string | null; name: string | null; role: string | null } | null;
	unreadCount: number | null;
	isGroup: boolean | null;
	isAiAgentRoom: boolean | null;
	timestamp: string | number | null;
}

/** Missing values become null rather than disappearing, so expressions like {{$json.text}} never break. */
export function simplifyEvent(view: KlinkEventView): SimplifiedKlinkEvent {
	return {
		event: view.event,
		messageId: view.messageId ?? null,
		conversationId: view.conversationId ?? null,
		contactId: view.contactId ?? null,
		channel: view.channel ?? null,
		direction: view.direction ?? null,
		text: view.text ?? null,
		sender: view.sender
			? { id: view.sender.id ?? null, name: view.sender.name ?? null, role: view.sender.role ?? null }
			: null,
		unreadCount: view.unreadCount ?? null,
		isGroup: view.isGroup ?? null,
		isAiAgentRoom: view.isAiAgentRoom ?? null,
		timestamp: view.timestamp ?? null,
	};
}
