/**
 * Cost of verifying a klink signature against the floor any receiver pays anyway: JSON.parse of the body plus one
 * HMAC-SHA256 over its raw bytes. Both are timed interleaved in the same run; the target is a median ratio of at
 * most 1.5. Prints ratios and medians, asserts nothing (absolute times depend on the machine).
 *
 *   npx tsc -p tsconfig.bench.json && node dist-bench/bench/verify.bench.js
 */
import { createHmac } from 'crypto';

import { signKlinkRequest, verifyKlinkSignature } from '../nodes/shared/signature/verifySignature';
import { seededRandom } from '../test/support/seededRandom';
import { recordTable } from './results';

const TARGET_RATIO = 1.5;
const URL = 'https://n8n.example.com/webhook/4f0c6a52-klink';
const SECRET = 'bench-current-secret';
const PREVIOUS_SECRET = 'bench-previous-secret';

/**
 * A message.inbound event in klink's shape, in the field order a Go struct gives (not sorted, so the normalizer
 * has to reorder), grown with conversation history until it reaches `targetBytes`. Text mixes Thai, CJK, emoji,
 * HTML and URLs with '&', as chat traffic does.
 */
function klinkEvent(targetBytes: number, seed: number): Buffer {
	const random = seededRandom(seed);
	const words = ['hello', 'สวัสดีครับ', '你好', 'order', '#12345', 'ราคา', '😀', 'thanks!', 'https://shop.example.com/p?id=42&ref=klink', 'ok', 'こんにちは', 'delivery', '12.50', '<b>', 'tomorrow'];
	const text = (count: number) => Array.from({ length: count }, () => words[Math.floor(random() * words.length)]).join(' ');
	const message = (index: number) => ({
		id: `msg_${index}_${Math.floor(random() * 1e9)}`,
		type: 'text',
		direction: random() < 0.5 ? 'incoming' : 'outgoing',
		text: text(8 + Math.floor(random() * 20)),
		createdAt: 1736937000000 + index * 1000,
		sender: { id: `u_${index % 7}`, name: 'Somchai', role: 'contact' },
		read: random() < 0.5,
		score: Math.round(random() * 1e6) / 1e6,
	});
	const history: ReturnType<typeof message>[] = [];
	const event = {
		event: 'message.inbound',
		timestamp: '2025-01-15T10:30:00.000Z',
		data: {
			id: 'msg_01HZX3Q5K8',
			roomId: 'room_42',
			contactId: 'ct_7',
			message: message(0),
			room: { channel: 'line', channelName: 'LINE OA', unreadCount: 3, isGroup: false, isAiAgentRoom: true, contact: { name: 'Somchai', tags: ['vip', '新客户'] } },
			history,
		},
	};
	let size = Buffer.byteLength(JSON.stringify(event));
	while (size < targetBytes) {
		const next = message(history.length + 1);
		history.push(next);
		size += Buffer.byteLength(JSON.stringify(next)) + 1;
	}
	return Buffer.from(JSON.stringify(event));
}

function median(samples: number[]): number {
	const sorted = [...samples].sort((a, b) => a - b);
	return sorted[sorted.length >> 1];
}

function timeOnce(run: () => void): number {
	const start = process.hrtime.bigint();
	run();
	return Number(process.hrtime.bigint() - start);
}

let sink = 0;

function floor(rawBody: Buffer): void {
	const parsed = JSON.parse(rawBody.toString('utf8')) as unknown;
	const mac = createHmac('sha256', SECRET).update(rawBody).digest();
	sink += mac[0] + (parsed === null ? 0 : 1);
}

function benchmark(label: string, targetBytes: number, iterations: number): void {
	const rawBody = klinkEvent(targetBytes, 42);
	const rawQuery = '';
	const signature = Buffer.from(signKlinkRequest({ secret: SECRET, method: 'POST', url: URL, rawQuery, rawBody }), 'hex');
	const previousSignature = Buffer.from(
		signKlinkRequest({ secret: PREVIOUS_SECRET, method: 'POST', url: URL, rawQuery, rawBody }),
		'hex',
	);
	const verify = (signed: Buffer, secrets: string[], signedUrls: string[]) => () => {
		const result = verifyKlinkSignature({ method: 'POST', signedUrls, rawQuery, rawBody, signature: signed, secrets });
		if (!result.valid) throw new Error(`benchmark request did not verify: ${result.reason}`);
		sink += result.secretIndex;
	};
	const typical = verify(signature, [SECRET, PREVIOUS_SECRET], [URL, `${URL}/`]);
	// Rotation worst case that still succeeds: current secret and first URL fail, so four HMACs are computed.
	const rotated = verify(previousSignature, [SECRET, PREVIOUS_SECRET], [`${URL}/`, URL]);

	const runs = { floor: [] as number[], typical: [] as number[], rotated: [] as number[] };
	const warmup = Math.max(20, iterations >> 3);
	for (let round = 0; round < warmup + iterations; round++) {
		// Alternate the order so that neither side always runs on a warmer cache.
		const order = round % 2 === 0 ? (['floor', 'typical', 'rotated'] as const) : (['rotated', 'typical', 'floor'] as const);
		for (const name of order) {
			const elapsed = timeOnce(name === 'floor' ? () => floor(rawBody) : name === 'typical' ? typical : rotated);
			if (round >= warmup) runs[name].push(elapsed);
		}
	}
	const floorMedian = median(runs.floor);
	const microseconds = (nanoseconds: number) => `${(nanoseconds / 1000).toFixed(1)} µs`;
	const typicalRatio = median(runs.typical) / floorMedian;
	console.log(`${label} (${rawBody.length} bytes, ${iterations} interleaved runs)`);
	console.log(`  floor   JSON.parse + HMAC over raw bytes       median ${microseconds(floorMedian)}`);
	console.log(
		`  verify  current secret, first URL              median ${microseconds(median(runs.typical))}  ratio ${typicalRatio.toFixed(2)}x  target <= ${TARGET_RATIO}x  ${typicalRatio <= TARGET_RATIO ? 'within target' : 'OVER TARGET'}`,
	);
	console.log(
		`  verify  previous secret, second URL (4 HMACs)  median ${microseconds(median(runs.rotated))}  ratio ${(median(runs.rotated) / floorMedian).toFixed(2)}x  (informational)`,
	);
	recordTable({
		section: 'Signature verification alone',
		caption: `In process; floor = JSON.parse + one HMAC-SHA256 over the raw bytes; interleaved runs, medians.`,
		columns: ['Body', 'runs', 'floor', 'verify', `verify / floor (target ≤ ${TARGET_RATIO}x)`, 'previous secret, second URL (4 HMACs) / floor'],
		rows: [
			[
				`${label} (${rawBody.length} bytes)`,
				String(iterations),
				microseconds(floorMedian),
				microseconds(median(runs.typical)),
				`${typicalRatio.toFixed(2)}x (${typicalRatio <= TARGET_RATIO ? 'met' : 'not met'})`,
				`${(median(runs.rotated) / floorMedian).toFixed(2)}x`,
			],
		],
	});
}

benchmark('2 KB klink event', 2 * 1024, 4000);
benchmark('256 KB klink event', 256 * 1024, 200);
if (sink === -1) console.log('unreachable');
