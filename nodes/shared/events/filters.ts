import type { KlinkEventView } from './klinkEvent';

export const ANY_EVENT = '*';

export type RoomFilter = 'all' | 'only' | 'exclude';

export interface EventFilters {
	/** klink event names to accept; `*` accepts every event, including ones klink adds later. */
	events: string[];
	channels?: string[];
	minUnreadCount?: number;
	direction?: 'any' | 'incoming' | 'outgoing';
	groupChats?: RoomFilter;
	aiAgentRooms?: RoomFilter;
	keywords?: string[];
}

/** The parameter that stopped an event, by the name the user sees in the trigger. */
export type FilterName =
	| 'Events'
	| 'Channels'
	| 'Minimum Unread Count'
	| 'Direction'
	| 'Group Chats'
	| 'AI Agent Rooms'
	| 'Keywords';

export type FilterResult = { matched: true } | { matched: false; filter: FilterName; reason: string };

/** `Live Chat`, `live_chat` and `livechat` name the same channel. */
export function normalizeChannelName(name: string): string {
	return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Splits a comma- or newline-separated user list, dropping blanks. */
export function splitList(value: string | undefined): string[] {
	if (!value) return [];
	return value
		.split(/[,\n]/)
		.map((entry) => entry.trim())
		.filter((entry) => entry !== '');
}

function matchesRoomFilter(value: boolean | undefined, filter: RoomFilter | undefined): boolean {
	if (filter === 'only') return value === true;
	if (filter === 'exclude') return value !== true;
	return true;
}

/**
 * Decides whether an event should start the workflow. A filter on a field the event does not carry
 * (an unread count on a contact event, say) does not match: the user asked for events that have it.
 */
export function matchesFilters(view: KlinkEventView, filters: EventFilters): FilterResult {
	if (!filters.events.includes(ANY_EVENT) && !filters.events.includes(view.event)) {
		return { matched: false, filter: 'Events', reason: `event "${view.event}" is not selected` };
	}

	if (filters.channels && filters.channels.length > 0) {
		const wanted = new Set(filters.channels.map(normalizeChannelName));
		if (view.channel === undefined || !wanted.has(normalizeChannelName(view.channel))) {
			return { matched: false, filter: 'Channels', reason: `channel "${view.channel ?? 'none'}" is not selected` };
		}
	}

	if (filters.minUnreadCount !== undefined && filters.minUnreadCount > 0) {
		if (view.unreadCount === undefined || view.unreadCount < filters.minUnreadCount) {
			return {
				matched: false,
				filter: 'Minimum Unread Count',
				reason: `unread count ${view.unreadCount ?? 'none'} is below ${filters.minUnreadCount}`,
			};
		}
	}

	if (filters.direction && filters.direction !== 'any' && view.direction !== filters.direction) {
		return { matched: false, filter: 'Direction', reason: `direction "${view.direction ?? 'none'}" is not ${filters.direction}` };
	}

	if (!matchesRoomFilter(view.isGroup, filters.groupChats)) {
		return { matched: false, filter: 'Group Chats', reason: `group chat filter "${filters.groupChats}" does not match` };
	}

	if (!matchesRoomFilter(view.isAiAgentRoom, filters.aiAgentRooms)) {
		return { matched: false, filter: 'AI Agent Rooms', reason: `AI agent room filter "${filters.aiAgentRooms}" does not match` };
	}

	if (filters.keywords && filters.keywords.length > 0) {
		const haystack = view.text?.toLowerCase();
		const found = haystack !== undefined && filters.keywords.some((k) => haystack.includes(k.toLowerCase()));
		if (!found) return { matched: false, filter: 'Keywords', reason: 'no keyword found in the message text' };
	}

	return { matched: true };
}
