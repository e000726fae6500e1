// The clients of the rolling-restart proof (RollingRestartIntegrationTests, benchmarks/run.sh rolling):
// subscribers and publishers built on wshub.js, so that what is measured is what an application using
// the JavaScript client gets: its reconnects, its resubscribes with `since`, its recoveries.
//
//   node --experimental-websocket rolling-clients.mjs --urls ws://127.0.0.1:P1/ws,ws://127.0.0.1:P2/ws
//        [--clients 30] [--topics 5] [--rate 100] [--publishers 6] [--prefix chat.rolling]
//        [--duration 600] [--settle 30] [--out report.json]
//
// Every subscriber subscribes to every topic before the first publish, so every subscriber must get
// every message of every topic: offsets 1, 2, 3, ... with no gap, no duplicate, in order, and each
// publisher's messages in the order it published them. The publishers publish `rate` messages per
// second in all, round robin over the topics; a publish whose connection is down is skipped (never
// retried: without idempotent publishes a retry could duplicate), one whose connection dropped before
// its ack is counted as unknown (it may or may not have reached the topic; the check counts what
// reached it either way).
//
// It prints READY once every subscriber has its acks and the publishers run. It stops publishing on a
// line "stop" on its standard input or after --duration seconds, waits (at most --settle seconds) until
// every subscriber has the last offset of every topic, prints "REPORT <json>" and exits: 0 when nothing
// was lost, duplicated or reordered, 1 otherwise. Every loop is bounded; it connects to loopback only.
import { createInterface } from 'node:readline';
import { writeFileSync } from 'node:fs';
import { WshubClient } from '../../main/resources/static/js/wshub.js';

const options = parseOptions(process.argv.slice(2));
const urls = options.urls.split(',').map((url) => url.trim()).filter(Boolean);
for (const url of urls) {
	const host = new URL(url.replace(/^ws/, 'http')).hostname;
	if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) {
		fail(`refusing ${url}: loopback addresses only`);
	}
}
if (typeof globalThis.WebSocket !== 'function') {
	fail('no global WebSocket: run Node 22+, or Node 20.10+ with --experimental-websocket');
}
const clients = int('clients', 1, 1000);
const topicCount = int('topics', 1, 100);
const rate = int('rate', 1, 10000);
const publisherCount = int('publishers', 1, 100);
const durationSeconds = int('duration', 1, 3600);
const settleSeconds = int('settle', 1, 600);
const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const topics = Array.from({ length: topicCount }, (_, i) => `${options.prefix}-${runId}.t${i}`);
const quiet = { initialDelay: 250, maxDelay: 2000, multiplier: 2, jitter: 0.5 };

/** One subscriber's view of one topic. */
class TopicView {
	last = 0;
	epoch = null;
	received = 0;
	lost = 0;
	duplicated = 0;
	reordered = 0;
	/** Per publisher, the last sequence number received: a publisher's messages arrive in its order. */
	lastOfPublisher = new Map();
	seen = new Set();
	gaps = [];
}

const stats = {
	reconnects: 0,
	recoveries: { recovered: 0, notRecovered: 0, missed: 0 },
	/** Frames the server sent again (offset at or below the last delivered), dropped by the client. */
	duplicatesDroppedByClient: 0,
	epochChanges: 0,
	errors: {},
	latencies: [],
};
const published = { attempted: 0, acked: 0, notConnected: 0, unknown: 0, rejected: {} };
/** Per topic: offset to "publisher:seq" as first seen, to check that every subscriber got the same message. */
const byOffset = topics.map(() => new Map());
const acked = topics.map(() => new Set());

/** A WebSocket that looks at each frame before the client does, to count what the client drops. */
function countingWebSocket(views) {
	return class extends globalThis.WebSocket {
		constructor(url) {
			super(url);
			this.addEventListener('message', (event) => {
				const frame = JSON.parse(event.data);
				if (frame.type === 'message' && Number.isSafeInteger(frame.offset)) {
					const view = views.get(frame.topic);
					if (view && frame.epoch === view.epoch && frame.offset <= view.last) {
						stats.duplicatesDroppedByClient++;
					}
				}
			});
		}
	};
}

function newSubscriber(index) {
	const views = new Map(topics.map((topic) => [topic, new TopicView()]));
	const rotated = urls.map((_, i) => urls[(index + i) % urls.length]);
	const client = new WshubClient(rotated, { reconnect: quiet, WebSocket: countingWebSocket(views) });
	client.on('state', (state) => state === 'reconnecting' && stats.reconnects++);
	client.on('recovery', (topic, recovery) => {
		if (recovery.recovered) {
			stats.recoveries.recovered++;
			stats.recoveries.missed += recovery.missed ?? 0;
		}
		else {
			stats.recoveries.notRecovered++;
		}
	});
	client.on('error', (error) => count(stats.errors, error.code));
	const handler = (data, topic, position) => received(views.get(topic), topics.indexOf(topic), data, position);
	return { client, views, handler };
}

function received(view, topicIndex, data, position) {
	view.received++;
	stats.latencies.push(Date.now() - data.t);
	if (!position) {
		view.gaps.push('message without offset');
		return;
	}
	if (view.epoch !== null && view.epoch !== position.epoch) {
		stats.epochChanges++;
	}
	view.epoch = position.epoch;
	const key = `${data.p}:${data.n}`;
	if (view.seen.has(key)) {
		view.duplicated++;
	}
	view.seen.add(key);
	if (position.offset <= view.last) {
		view.reordered++;
	}
	else if (position.offset > view.last + 1) {
		view.lost += position.offset - view.last - 1;
		if (view.gaps.length < 10) {
			view.gaps.push(`${view.last + 1}..${position.offset - 1}`);
		}
	}
	view.last = Math.max(view.last, position.offset);
	const previous = view.lastOfPublisher.get(data.p) ?? -1;
	if (data.n <= previous) {
		view.reordered++;
	}
	view.lastOfPublisher.set(data.p, Math.max(previous, data.n));
	const first = byOffset[topicIndex].get(position.offset);
	if (first === undefined) {
		byOffset[topicIndex].set(position.offset, key);
	}
	else if (first !== key) {
		count(stats.errors, 'different_message_at_same_offset');
	}
}

function newPublisher(index) {
	const rotated = urls.map((_, i) => urls[(index + i) % urls.length]);
	const client = new WshubClient(rotated, { reconnect: quiet });
	return { client, index, seq: 0, timer: null };
}

function publishOne(publisher) {
	const n = publisher.seq++;
	const topicIndex = (publisher.index + n) % topics.length;
	published.attempted++;
	publisher.client.publish(topics[topicIndex], { p: publisher.index, n, t: Date.now() }).then(
		() => {
			published.acked++;
			acked[topicIndex].add(`${publisher.index}:${n}`);
		},
		(error) => {
			if (error.code === 'not_connected') {
				published.notConnected++;
			}
			else if (error.code === 'connection_closed') {
				published.unknown++;
			}
			else {
				count(published.rejected, error.code);
			}
		});
}

const subscribers = Array.from({ length: clients }, (_, i) => newSubscriber(i));
const publishers = Array.from({ length: publisherCount }, (_, i) => newPublisher(i));
const deadline = setTimeout(() => stop('duration'), durationSeconds * 1000);
let stopping = false;

await withTimeout(Promise.all(subscribers.map(({ client, handler }) => {
	client.connect();
	return Promise.all(topics.map((topic) => client.subscribe(topic, handler)));
})), 60_000, 'subscribers did not get their subscribe acks within 60 s');
await withTimeout(Promise.all(publishers.map(({ client }) => new Promise((resolve) => {
	client.on('welcome', resolve);
	client.connect();
}))), 60_000, 'publishers did not connect within 60 s');
const interval = (1000 * publisherCount) / rate;
publishers.forEach((publisher, i) => setTimeout(() => {
	if (!stopping) {
		publisher.timer = setInterval(() => publishOne(publisher), interval);
	}
}, (interval * i) / publisherCount));
const startedAt = Date.now();
console.log(`READY ${clients} subscribers, ${publisherCount} publishers, ${topicCount} topics, ${rate}/s`);

createInterface({ input: process.stdin }).on('line', (line) => line.trim() === 'stop' && stop('stdin'));

async function stop(why) {
	if (stopping) {
		return;
	}
	stopping = true;
	clearTimeout(deadline);
	const publishedFor = (Date.now() - startedAt) / 1000;
	publishers.forEach((publisher) => clearInterval(publisher.timer));
	// Acks still on their way, then every subscriber catches up to the top of every topic.
	const settleUntil = Date.now() + settleSeconds * 1000;
	await sleep(1000);
	while (Date.now() < settleUntil && !caughtUp()) {
		await sleep(200);
	}
	const report = buildReport(why, publishedFor, caughtUp());
	[...subscribers, ...publishers].forEach(({ client }) => client.close());
	const json = JSON.stringify(report, null, 2);
	if (options.out) {
		writeFileSync(options.out, `${json}\n`);
	}
	console.log(`REPORT ${JSON.stringify(report)}`);
	process.exit(report.lost + report.duplicated + report.reordered === 0 && report.caughtUp ? 0 : 1);
}

function tops() {
	return byOffset.map((offsets) => Math.max(0, ...offsets.keys()));
}

function caughtUp() {
	const top = tops();
	return subscribers.every(({ client, views }) => client.state === 'open'
		&& topics.every((topic, i) => views.get(topic).last === top[i]));
}

function buildReport(why, publishedFor, isCaughtUp) {
	const top = tops();
	let lost = 0;
	let duplicated = 0;
	let reordered = 0;
	let deliveries = 0;
	const gaps = [];
	subscribers.forEach(({ views }, s) => topics.forEach((topic, i) => {
		const view = views.get(topic);
		deliveries += view.received;
		// A gap at the end (offsets the subscriber never got) counts as lost too.
		lost += view.lost + (top[i] - view.last);
		duplicated += view.duplicated;
		reordered += view.reordered;
		view.gaps.forEach((gap) => gaps.length < 20 && gaps.push(`subscriber ${s} ${topic}: ${gap}`));
	}));
	// An acked message that no subscriber got is lost for every one of them.
	let ackedNeverDelivered = 0;
	acked.forEach((keys, i) => {
		const delivered = new Set(byOffset[i].values());
		keys.forEach((key) => delivered.has(key) || ackedNeverDelivered++);
	});
	lost += ackedNeverDelivered * clients;
	const latencies = stats.latencies.sort((a, b) => a - b);
	const quantile = (q) => (latencies.length === 0 ? null : latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]);
	return {
		stoppedBy: why,
		subscribers: clients,
		topics: topicCount,
		publishers: publisherCount,
		ratePerSecond: rate,
		publishedForSeconds: Math.round(publishedFor * 10) / 10,
		published,
		messagesInTopics: top.reduce((a, b) => a + b, 0),
		deliveries,
		expectedDeliveries: top.reduce((a, b) => a + b, 0) * clients,
		lost,
		ackedNeverDelivered,
		duplicated,
		reordered,
		caughtUp: isCaughtUp,
		gaps,
		reconnects: stats.reconnects,
		recoveries: stats.recoveries,
		epochChanges: stats.epochChanges,
		duplicatesDroppedByClient: stats.duplicatesDroppedByClient,
		errors: stats.errors,
		latencyMs: { p50: quantile(0.5), p99: quantile(0.99), p999: quantile(0.999), max: latencies.at(-1) ?? null },
	};
}

function parseOptions(argv) {
	const parsed = { urls: 'ws://127.0.0.1:8080/ws', clients: '30', topics: '5', rate: '100', publishers: '6',
		prefix: 'chat.rolling', duration: '600', settle: '30', out: null };
	for (let i = 0; i < argv.length; i += 2) {
		const name = argv[i].replace(/^--/, '');
		if (!(name in parsed) || argv[i + 1] === undefined) {
			fail(`unknown option or missing value: ${argv[i]}`);
		}
		parsed[name] = argv[i + 1];
	}
	return parsed;
}

function int(name, min, max) {
	const value = Number(options[name]);
	if (!Number.isInteger(value) || value < min || value > max) {
		fail(`--${name} must be an integer from ${min} to ${max}`);
	}
	return value;
}

function count(counts, key) {
	counts[key] = (counts[key] ?? 0) + 1;
}

function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout(promise, ms, message) {
	let timer;
	return Promise.race([promise, new Promise((_, reject) => {
		timer = setTimeout(() => reject(new Error(message)), ms);
	})]).finally(() => clearTimeout(timer));
}

function fail(message) {
	console.error(message);
	process.exit(2);
}
