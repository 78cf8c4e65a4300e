import { matchesFilters, normalizeChannelName, splitList, type EventFilters } from './filters';
import type { KlinkEventView } from './klinkEvent';

const inbound: KlinkEventView = {
	event: 'message.inbound',
	channel: 'whatsapp',
	direction: 'incoming',
	text: 'Please REFUND my order',
	unreadCount: 3,
	isGroup: false,
	isAiAgentRoom: true,
};

const all: EventFilters = { events: ['*'] };

describe('matchesFilters', () => {
	it('accepts every event with no filters set', () => {
		expect(matchesFilters(inbound, all)).toEqual({ matched: true });
		expect(matchesFilters({ event: 'future.event' }, all)).toEqual({ matched: true });
	});

	it('filters on the event name', () => {
		expect(matchesFilters(inbound, { events: ['message.inbound'] }).matched).toBe(true);
		expect(matchesFilters(inbound, { events: ['message.outbound', 'contact.created'] })).toEqual({
			matched: false,
			filter: 'Events',
			reason: 'event "message.inbound" is not selected',
		});
	});

	it('filters on channels, however klink spells them', () => {
		expect(matchesFilters(inbound, { ...all, channels: ['telegram', 'whatsapp'] }).matched).toBe(true);
		expect(matchesFilters({ ...inbound, channel: 'live_chat' }, { ...all, channels: ['livechat'] }).matched).toBe(true);
		expect(matchesFilters(inbound, { ...all, channels: ['telegram'] }).matched).toBe(false);
		expect(matchesFilters({ event: 'contact.created' }, { ...all, channels: ['telegram'] }).matched).toBe(false);
		expect(matchesFilters(inbound, { ...all, channels: [] }).matched).toBe(true);
	});

	it('filters on the unread count, at or above the minimum', () => {
		expect(matchesFilters(inbound, { ...all, minUnreadCount: 3 }).matched).toBe(true);
		expect(matchesFilters(inbound, { ...all, minUnreadCount: 4 }).matched).toBe(false);
		expect(matchesFilters({ event: 'x' }, { ...all, minUnreadCount: 1 }).matched).toBe(false);
		expect(matchesFilters({ event: 'x' }, { ...all, minUnreadCount: 0 }).matched).toBe(true);
	});

	it('filters on the direction', () => {
		expect(matchesFilters(inbound, { ...all, direction: 'incoming' }).matched).toBe(true);
		expect(matchesFilters(inbound, { ...all, direction: 'outgoing' }).matched).toBe(false);
		expect(matchesFilters(inbound, { ...all, direction: 'any' }).matched).toBe(true);
	});

	it.each([
		['groupChats', 'isGroup'],
		['aiAgentRooms', 'isAiAgentRoom'],
	] as const)('filters %s as all / only / exclude', (filter, field) => {
		const yes = { ...inbound, [field]: true };
		const no = { ...inbound, [field]: false };
		const unknown = { ...inbound, [field]: undefined };
		expect([yes, no, unknown].map((v) => matchesFilters(v, { ...all, [filter]: 'all' }).matched)).toEqual([true, true, true]);
		expect([yes, no, unknown].map((v) => matchesFilters(v, { ...all, [filter]: 'only' }).matched)).toEqual([true, false, false]);
		expect([yes, no, unknown].map((v) => matchesFilters(v, { ...all, [filter]: 'exclude' }).matched)).toEqual([false, true, true]);
	});

	it('filters on any keyword, case-insensitively', () => {
		expect(matchesFilters(inbound, { ...all, keywords: ['urgent', 'refund'] }).matched).toBe(true);
		expect(matchesFilters(inbound, { ...all, keywords: ['urgent'] }).matched).toBe(false);
		expect(matchesFilters({ event: 'contact.created' }, { ...all, keywords: ['refund'] }).matched).toBe(false);
	});

	it('needs every set filter to match', () => {
		const filters: EventFilters = {
			events: ['message.inbound'],
			channels: ['whatsapp'],
			minUnreadCount: 2,
			direction: 'incoming',
			groupChats: 'exclude',
			aiAgentRooms: 'only',
			keywords: ['refund'],
		};
		expect(matchesFilters(inbound, filters).matched).toBe(true);
		expect(matchesFilters({ ...inbound, isGroup: true }, filters).matched).toBe(false);
	});
});

describe('splitList and normalizeChannelName', () => {
	it('splits on commas and new lines, dropping blanks', () => {
		expect(splitList(' refund, urgent ,\ncancel,, ')).toEqual(['refund', 'urgent', 'cancel']);
		expect(splitList(undefined)).toEqual([]);
	});

	it('ignores case and punctuation in channel names', () => {
		expect(['Live Chat', 'live_chat', 'LIVE-CHAT'].map(normalizeChannelName)).toEqual(['livechat', 'livechat', 'livechat']);
	});

	it('names the filter that stopped an event', () => {
		const stoppedBy = (view: Parameters<typeof matchesFilters>[0], filters: Parameters<typeof matchesFilters>[1]) => {
			const result = matchesFilters(view, filters);
			return result.matched ? undefined : result.filter;
		};
		expect(stoppedBy(inbound, { ...all, channels: ['telegram'] })).toBe('Channels');
		expect(stoppedBy(inbound, { ...all, minUnreadCount: 40 })).toBe('Minimum Unread Count');
		expect(stoppedBy(inbound, { ...all, direction: 'outgoing' })).toBe('Direction');
		expect(stoppedBy({ ...inbound, isGroup: true }, { ...all, groupChats: 'exclude' })).toBe('Group Chats');
		expect(stoppedBy({ ...inbound, isAiAgentRoom: true }, { ...all, aiAgentRooms: 'exclude' })).toBe('AI Agent Rooms');
		expect(stoppedBy(inbound, { ...all, keywords: ['no-such-word'] })).toBe('Keywords');
	});
});
