// Unit tests of the JavaScript client (src/main/resources/static/js/wshub.js), with a fake
// WebSocket and fake timers. Run with: node --test src/test/js/
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { WshubClient, WshubError, backoffDelay, shouldReconnect } from '../../main/resources/static/js/wshub.js';

/** A WebSocket stand-in: records what the client sends, lets the test play the server. */
class FakeWebSocket {
	static sockets = [];

	constructor(url) {
		this.url = url;
		this.readyState = 0;
		this.sent = [];
		this.closedWith = null;
		FakeWebSocket.sockets.push(this);
	}

	send(text) {
		assert.equal(this.readyState, 1, 'send on an open socket only');
		this.sent.push(JSON.parse(text));
	}

	close(code, reason) {
		this.closedWith = { code, reason };
		this.readyState = 3;
	}

	// The server's side:

	open() {
		this.readyState = 1;
		this.onopen?.({});
	}

	welcome(instance = 'i-1') {
		this.receive({ type: 'welcome', session: 's-1', instance, protocol: 1 });
	}

	receive(frame) {
		this.onmessage?.({ data: JSON.stringify(frame) });
	}

	drop(code, reason = '') {
		this.readyState = 3;
		this.onclose?.({ code, reason });
	}

	lastSent() {
		return this.sent[this.sent.length - 1];
	}
}

/** Timers run by hand: the test decides when time passes. */
class FakeTimers {
	scheduled = [];

	setTimeout = (fn, delay) => {
		const timer = { fn, delay, cancelled: false };
		this.scheduled.push(timer);
		return timer;
	};

	clearTimeout = (timer) => {
		if (timer) {
			timer.cancelled = true;
		}
	};

	/** Runs the next pending timer and returns its delay. */
	runNext() {
		const timer = this.scheduled.find((candidate) => !candidate.cancelled);
		assert.ok(timer, 'a timer is scheduled');
		this.scheduled.splice(this.scheduled.indexOf(timer), 1);
		timer.fn();
		return timer.delay;
	}

	pending() {
		return this.scheduled.filter((timer) => !timer.cancelled).length;
	}
}

function setup({ urls = ['ws://a/ws'], random = () => 0, reconnect } = {}) {
	FakeWebSocket.sockets = [];
	const timers = new FakeTimers();
	const client = new WshubClient(urls, {
		WebSocket: FakeWebSocket,
		setTimeout: timers.setTimeout,
		clearTimeout: timers.clearTimeout,
		random,
		reconnect,
	});
	const states = [];
	client.on('state', (state, detail) => states.push({ state, ...detail }));
	const socket = () => FakeWebSocket.sockets[FakeWebSocket.sockets.length - 1];
	return { client, timers, states, socket };
}

/** Connects and opens the first socket, with its welcome. */
function connected(options) {
	const context = setup(options);
	context.client.connect();
	context.socket().open();
	context.socket().welcome();
	return context;
}

const settled = (promise) => promise.then((value) => ({ value }), (error) => ({ error }));

test('shouldReconnect mirrors HubCloseStatus.shouldReconnect', () => {
	for (const code of [4000, 4001, 4002, 4003, 4499, 1001, 1005, 1006, 1011, 1012, 1013, 1014]) {
		assert.equal(shouldReconnect(code), true, `reconnect after ${code}`);
	}
	for (const code of [1000, 1002, 1003, 1007, 1008, 1009, 1010, 1015, 3000, 3999, 4500, 4501, 4502, 4999, 5000]) {
		assert.equal(shouldReconnect(code), false, `no reconnect after ${code}`);
	}
});

test('backoff grows exponentially and is capped', () => {
	const backoff = { initialDelay: 500, maxDelay: 15000, multiplier: 2, jitter: 0.5 };
	const delays = [0, 1, 2, 3, 4, 5, 6, 10].map((attempt) => backoffDelay(attempt, backoff, () => 0));
	assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
});

test('jitter takes at most its fraction off the delay', () => {
	const backoff = { initialDelay: 500, maxDelay: 15000, multiplier: 2, jitter: 0.5 };
	for (const attempt of [0, 3, 8]) {
		const capped = Math.min(15000, 500 * 2 ** attempt);
		assert.equal(backoffDelay(attempt, backoff, () => 0), capped);
		assert.equal(backoffDelay(attempt, backoff, () => 0.5), Math.round(capped * 0.75));
		const lowest = backoffDelay(attempt, backoff, () => 0.999999);
		assert.ok(lowest >= capped * 0.5 && lowest <= capped, `${lowest} within [${capped / 2}, ${capped}]`);
	}
	for (let i = 0; i < 200; i++) {
		const delay = backoffDelay(4, backoff, Math.random);
		assert.ok(delay >= 4000 && delay <= 8000, `${delay} within [4000, 8000]`);
	}
});

test('the client reconnects with growing, capped delays', () => {
	const { client, timers, socket, states } = setup({ reconnect: { initialDelay: 100, maxDelay: 1000 } });
	client.connect();
	assert.equal(client.state, 'connecting');
	const delays = [];
	for (let i = 0; i < 6; i++) {
		socket().drop(1006);
		assert.equal(client.state, 'reconnecting');
		delays.push(timers.runNext());
	}
	assert.deepEqual(delays, [100, 200, 400, 800, 1000, 1000]);
	assert.equal(FakeWebSocket.sockets.length, 7);
	assert.deepEqual(states.filter((s) => s.state === 'reconnecting').map((s) => s.delay), delays);
});

test('the backoff resets after a welcome', () => {
	const { client, timers, socket } = setup({ reconnect: { initialDelay: 100 } });
	client.connect();
	socket().drop(1006);
	assert.equal(timers.runNext(), 100);
	socket().drop(1006);
	assert.equal(timers.runNext(), 200);
	socket().open();
	socket().drop(1006);
	assert.equal(timers.runNext(), 400, 'an open without welcome does not reset');
	socket().open();
	socket().welcome();
	socket().drop(4000);
	assert.equal(timers.runNext(), 100);
});

test('no reconnect after 4501, 1000 or 1008', () => {
	for (const code of [4501, 1000, 1008]) {
		const { client, timers, socket, states } = connected();
		socket().drop(code, 'bye');
		assert.equal(client.state, 'closed');
		assert.equal(timers.pending(), 0);
		assert.deepEqual(states[states.length - 1], { state: 'closed', code, reason: 'bye' });
		assert.equal(FakeWebSocket.sockets.length, 1);
	}
});

test('reconnect after 4000 and 1006', () => {
	for (const code of [4000, 1006]) {
		const { client, timers, socket } = connected();
		socket().drop(code);
		assert.equal(client.state, 'reconnecting');
		timers.runNext();
		assert.equal(FakeWebSocket.sockets.length, 2);
		socket().open();
		assert.equal(client.state, 'open');
	}
});

test('states follow the connection', () => {
	const { client, timers, socket, states } = setup();
	client.connect();
	socket().open();
	socket().drop(1001, 'going away');
	timers.runNext();
	socket().open();
	client.close();
	assert.deepEqual(states.map((s) => s.state), ['connecting', 'open', 'reconnecting', 'open', 'closed']);
	assert.deepEqual(socket().closedWith, { code: 1000, reason: 'client closed' });
	assert.equal(timers.pending(), 0);
});

test('close while waiting to reconnect cancels the attempt', () => {
	const { client, timers, socket } = connected();
	socket().drop(1006);
	client.close();
	assert.equal(client.state, 'closed');
	assert.equal(timers.pending(), 0);
	assert.equal(FakeWebSocket.sockets.length, 1);
});

test('the welcome is exposed and announced', () => {
	const { client, socket } = setup();
	const welcomes = [];
	client.on('welcome', (welcome) => welcomes.push(welcome));
	client.connect();
	socket().open();
	socket().welcome('b-7');
	assert.deepEqual(client.welcome, { session: 's-1', instance: 'b-7', protocol: 1 });
	assert.deepEqual(welcomes, [client.welcome]);
});

test('subscribe resolves on ack and delivers messages to its handler', async () => {
	const { client, socket } = connected();
	const received = [];
	const subscribed = client.subscribe('chat.lobby', (data, topic) => received.push([topic, data]));
	const frame = socket().lastSent();
	assert.deepEqual(frame, { type: 'subscribe', topic: 'chat.lobby', id: frame.id });
	assert.equal(typeof frame.id, 'number');
	socket().receive({ type: 'ack', id: frame.id });
	await subscribed;
	socket().receive({ type: 'message', topic: 'chat.lobby', data: { text: 'hi' } });
	socket().receive({ type: 'message', topic: 'chat.other', data: 'not for us' });
	assert.deepEqual(received, [['chat.lobby', { text: 'hi' }]]);
});

test('subscribe rejects on an error reply and forgets the topic', async () => {
	const { client, socket } = connected();
	const subscribed = client.subscribe('admin.logs', () => {});
	socket().receive({ type: 'error', id: socket().lastSent().id, code: 'forbidden', message: 'Not allowed' });
	await assert.rejects(subscribed, (error) => error instanceof WshubError && error.code === 'forbidden'
		&& error.topic === 'admin.logs');
	assert.deepEqual(client.topics, []);
});

test('publish resolves on ack and rejects on an error reply', async () => {
	const { client, socket } = connected();
	const published = client.publish('chat.lobby', { text: 'hello' });
	const frame = socket().lastSent();
	assert.deepEqual(frame, { type: 'publish', topic: 'chat.lobby', data: { text: 'hello' }, id: frame.id });
	socket().receive({ type: 'ack', id: frame.id });
	await published;
	const refused = client.publish('news.general', 'hi');
	socket().receive({ type: 'error', id: socket().lastSent().id, code: 'forbidden', message: 'Not allowed' });
	await assert.rejects(refused, { code: 'forbidden', message: 'Not allowed' });
});

test('request ids are distinct numbers', () => {
	const { client, socket } = connected();
	client.subscribe('chat.a', () => {}).catch(() => {});
	client.publish('chat.a', 1).catch(() => {});
	client.unsubscribe('chat.a').catch(() => {});
	const ids = socket().sent.map((frame) => frame.id);
	assert.ok(ids.every((id) => Number.isInteger(id)));
	assert.equal(new Set(ids).size, 3);
});

test('pending requests reject when the connection drops', async () => {
	const { client, socket } = connected();
	const subscribed = settled(client.subscribe('chat.lobby', () => {}));
	const published = settled(client.publish('chat.lobby', 'x'));
	socket().drop(1006);
	assert.equal((await subscribed).error.code, 'connection_closed');
	assert.equal((await published).error.code, 'connection_closed');
	assert.deepEqual(client.topics, ['chat.lobby'], 'the topic is kept for the resubscribe');
});

test('pending requests reject when the client is closed', async () => {
	const { client } = connected();
	const published = client.publish('chat.lobby', 'x');
	client.close();
	await assert.rejects(published, { code: 'connection_closed' });
});

test('publish while not connected rejects at once', async () => {
	const { client, socket } = connected();
	socket().drop(1006);
	await assert.rejects(client.publish('chat.lobby', 'x'), { code: 'not_connected' });
});

test('every topic is resubscribed after a reconnect', async () => {
	const { client, timers, socket } = connected();
	const lobby = [];
	client.subscribe('chat.lobby', (data) => lobby.push(data));
	client.subscribe('chat.dev', () => {});
	socket().sent.forEach((frame) => socket().receive({ type: 'ack', id: frame.id }));
	socket().drop(4000);
	timers.runNext();
	socket().open();
	assert.deepEqual(socket().sent.map((frame) => [frame.type, frame.topic]),
		[['subscribe', 'chat.lobby'], ['subscribe', 'chat.dev']]);
	socket().receive({ type: 'message', topic: 'chat.lobby', data: 'after' });
	assert.deepEqual(lobby, ['after']);
	const unsubscribed = settled(client.unsubscribe('chat.dev'));
	socket().drop(1006);
	assert.equal((await unsubscribed).error.code, 'connection_closed');
	timers.runNext();
	socket().open();
	assert.deepEqual(socket().sent.map((frame) => frame.topic), ['chat.lobby'], 'unsubscribed topics stay away');
});

test('a subscribe made while disconnected resolves on the ack after connecting', async () => {
	const { client, socket } = setup();
	const subscribed = client.subscribe('chat.lobby', () => {});
	assert.equal(FakeWebSocket.sockets.length, 0);
	client.connect();
	socket().open();
	const frame = socket().lastSent();
	assert.equal(frame.topic, 'chat.lobby');
	socket().receive({ type: 'ack', id: frame.id });
	await subscribed;
});

test('a failed resubscribe is reported as an error event', async () => {
	const { client, timers, socket } = connected();
	const errors = [];
	client.on('error', (error) => errors.push(error));
	client.subscribe('chat.lobby', () => {});
	socket().receive({ type: 'ack', id: socket().lastSent().id });
	socket().drop(1006);
	timers.runNext();
	socket().open();
	socket().receive({ type: 'error', id: socket().lastSent().id, code: 'broker_unavailable', message: 'Redis is down' });
	await new Promise(setImmediate);
	assert.deepEqual(errors.map((error) => [error.code, error.topic]), [['broker_unavailable', 'chat.lobby']]);
	assert.deepEqual(client.topics, []);
});

test('direct frames and errors without a request are events', () => {
	const { client, socket } = connected();
	const directs = [];
	const errors = [];
	client.on('direct', (data) => directs.push(data));
	client.on('error', (error) => errors.push(error.code));
	socket().receive({ type: 'direct', data: { from: 'bob', text: 'psst' } });
	socket().receive({ type: 'error', code: 'invalid_frame', message: 'Frame is not valid JSON' });
	socket().onmessage({ data: 'not json' });
	socket().receive({ type: 'something-new', extra: true });
	assert.deepEqual(directs, [{ from: 'bob', text: 'psst' }]);
	assert.deepEqual(errors, ['invalid_frame', 'invalid_frame']);
});

test('reconnects rotate through the URLs', () => {
	const { client, timers, socket, states } = connected({ urls: ['ws://a/ws', 'ws://b/ws', 'ws://c/ws'] });
	assert.equal(socket().url, 'ws://a/ws');
	const urls = [];
	for (let i = 0; i < 4; i++) {
		socket().drop(4000);
		timers.runNext();
		urls.push(socket().url);
	}
	assert.deepEqual(urls, ['ws://b/ws', 'ws://c/ws', 'ws://a/ws', 'ws://b/ws']);
	assert.equal(client.url, 'ws://b/ws');
	assert.equal(states.filter((s) => s.state === 'reconnecting')[0].url, 'ws://b/ws');
});

test('events of a replaced socket are ignored', () => {
	const { client, timers, socket } = connected();
	const old = socket();
	old.drop(1006);
	timers.runNext();
	old.drop(1006);
	old.receive({ type: 'welcome', session: 'old', instance: 'old', protocol: 1 });
	assert.equal(client.state, 'reconnecting');
	assert.equal(timers.pending(), 0);
	assert.equal(client.welcome, null);
});

test('invalid arguments are refused', () => {
	assert.throws(() => new WshubClient([], { WebSocket: FakeWebSocket }), TypeError);
	assert.throws(() => new WshubClient('http://a/ws', { WebSocket: FakeWebSocket }), TypeError);
	assert.throws(() => new WshubClient('ws://a/ws', { WebSocket: FakeWebSocket, reconnect: { jitter: 2 } }), RangeError);
	assert.throws(() => new WshubClient('ws://a/ws', { WebSocket: FakeWebSocket, reconnect: { maxDelay: 1 } }), RangeError);
	const { client } = setup();
	return assert.rejects(client.subscribe('chat.lobby'), TypeError);
});

// History and recovery (docs/protocol.md, "History and recovery").

const E = 'epoch-1';
const msg = (topic, data, offset, epoch = E) => ({ type: 'message', topic, data, offset, epoch });

/** Connected, subscribed to `topic` (acked), collecting the handler's data. */
function subscribedTo(topic = 'chat.lobby') {
	const context = connected();
	const received = [];
	context.client.subscribe(topic, (data) => received.push(data));
	context.socket().receive({ type: 'ack', id: context.socket().lastSent().id });
	return { ...context, received };
}

/** Drops the connection with `code`, runs the reconnect timer and opens the new socket. */
function reconnect({ timers, socket }, code = 1006) {
	socket().drop(code);
	timers.runNext();
	socket().open();
	socket().welcome();
}

test('after a reconnect a history topic is resubscribed with since its last epoch and offset', () => {
	const context = subscribedTo();
	const positions = [];
	context.client.subscribe('chat.lobby', (data, topic, position) => positions.push(position));
	context.socket().receive({ type: 'ack', id: context.socket().lastSent().id });
	context.socket().receive(msg('chat.lobby', 'a', 41));
	context.socket().receive(msg('chat.lobby', 'b', 42));
	assert.deepEqual(positions, [{ epoch: E, offset: 41 }, { epoch: E, offset: 42 }]);
	reconnect(context);
	const frame = context.socket().lastSent();
	assert.deepEqual(frame, { type: 'subscribe', topic: 'chat.lobby', id: frame.id, since: { epoch: E, offset: 42 } });
});

test('recovered messages reach the handler in order, before live ones', async () => {
	const context = subscribedTo();
	const { client, socket, received } = context;
	const recoveries = [];
	client.on('recovery', (topic, detail) => recoveries.push([topic, detail]));
	socket().receive(msg('chat.lobby', 'a', 42));
	reconnect(context);
	const id = socket().lastSent().id;
	socket().receive({ type: 'ack', id, recovered: true, epoch: E, offset: 44,
		messages: [msg('chat.lobby', 'b', 43), msg('chat.lobby', 'c', 44)] });
	socket().receive(msg('chat.lobby', 'd', 45));
	assert.deepEqual(received, ['a', 'b', 'c', 'd']);
	assert.deepEqual(recoveries, [['chat.lobby', { recovered: true, missed: 2, epoch: E, offset: 44 }]]);
});

test('messages at or below the last delivered offset of the epoch are dropped', () => {
	const context = subscribedTo();
	const { socket, received } = context;
	socket().receive(msg('chat.lobby', 'a', 42));
	socket().receive(msg('chat.lobby', 'a again', 42));
	socket().receive(msg('chat.lobby', 'older', 41));
	reconnect(context);
	socket().receive({ type: 'ack', id: socket().lastSent().id, recovered: true, epoch: E, offset: 43,
		messages: [msg('chat.lobby', 'a once more', 42), msg('chat.lobby', 'b', 43)] });
	socket().receive(msg('chat.lobby', 'b again', 43));
	socket().receive(msg('chat.lobby', 'c', 44));
	socket().receive(msg('chat.lobby', 'new epoch', 1, 'epoch-2'));
	assert.deepEqual(received, ['a', 'b', 'c', 'new epoch']);
});

test('a live message after a gap resubscribes with since, and the missing messages come first, in order', async () => {
	const context = subscribedTo();
	const { client, socket, received } = context;
	const recoveries = [];
	client.on('recovery', (topic, detail) => recoveries.push([topic, detail]));
	socket().receive(msg('chat.lobby', 'a', 42));
	socket().receive(msg('chat.lobby', 'c', 44));
	const unsubscribe = socket().lastSent();
	assert.deepEqual(unsubscribe, { type: 'unsubscribe', topic: 'chat.lobby', id: unsubscribe.id });
	socket().receive(msg('chat.lobby', 'd', 45));
	assert.deepEqual(received, ['a'], 'held back while the topic is resubscribed');
	socket().receive({ type: 'ack', id: unsubscribe.id });
	await new Promise((resolve) => setImmediate(resolve));
	const subscribe = socket().lastSent();
	assert.deepEqual(subscribe, { type: 'subscribe', topic: 'chat.lobby', id: subscribe.id, since: { epoch: E, offset: 42 } });
	socket().receive({ type: 'ack', id: subscribe.id, recovered: true, epoch: E, offset: 45,
		messages: [msg('chat.lobby', 'b', 43), msg('chat.lobby', 'c', 44), msg('chat.lobby', 'd', 45)] });
	socket().receive(msg('chat.lobby', 'e', 46));
	socket().receive(msg('chat.lobby', 'f', 48));
	assert.deepEqual(received, ['a', 'b', 'c', 'd', 'e']);
	assert.deepEqual(recoveries, [['chat.lobby', { recovered: true, missed: 3, epoch: E, offset: 45 }]]);
	assert.equal(socket().lastSent().type, 'unsubscribe', 'the next gap is repaired too');
});

test('a gap repair cut by a reconnect is finished by the reconnect\'s resubscribe', () => {
	const context = subscribedTo();
	const { socket, received } = context;
	socket().receive(msg('chat.lobby', 'a', 42));
	socket().receive(msg('chat.lobby', 'c', 44));
	assert.equal(socket().lastSent().type, 'unsubscribe');
	reconnect(context);
	const subscribe = socket().lastSent();
	assert.deepEqual(subscribe.since, { epoch: E, offset: 42 });
	socket().receive({ type: 'ack', id: subscribe.id, recovered: true, epoch: E, offset: 44,
		messages: [msg('chat.lobby', 'b', 43), msg('chat.lobby', 'c', 44)] });
	socket().receive(msg('chat.lobby', 'd', 45));
	assert.deepEqual(received, ['a', 'b', 'c', 'd']);
});

test('recovered:false is a recovery event, and live messages go on from the ack position', () => {
	const context = subscribedTo();
	const { client, socket, received } = context;
	const recoveries = [];
	client.on('recovery', (topic, detail) => recoveries.push([topic, detail]));
	socket().receive(msg('chat.lobby', 'a', 42));
	reconnect(context);
	socket().receive({ type: 'ack', id: socket().lastSent().id, recovered: false, epoch: E, offset: 900, messages: [] });
	socket().receive(msg('chat.lobby', 'live', 901));
	assert.deepEqual(received, ['a', 'live']);
	reconnect(context);
	assert.deepEqual(socket().lastSent().since, { epoch: E, offset: 901 });
	socket().receive({ type: 'ack', id: socket().lastSent().id, recovered: false, epoch: 'epoch-2', offset: 3 });
	assert.deepEqual(recoveries, [
		['chat.lobby', { recovered: false, missed: 858, epoch: E, offset: 900 }],
		['chat.lobby', { recovered: false, missed: null, epoch: 'epoch-2', offset: 3 }]]);
	socket().receive(msg('chat.lobby', 'old', 3, 'epoch-2'));
	socket().receive(msg('chat.lobby', 'next', 4, 'epoch-2'));
	assert.deepEqual(received, ['a', 'live', 'next']);
});

test('a 4005 close (state lost) reconnects and recovers', () => {
	const context = subscribedTo();
	const { client, socket, states, received } = context;
	socket().receive(msg('chat.lobby', 'a', 7));
	socket().drop(4005, 'state lost');
	assert.equal(client.state, 'reconnecting');
	assert.equal(states[states.length - 1].code, 4005);
	context.timers.runNext();
	socket().open();
	const frame = socket().lastSent();
	assert.deepEqual(frame.since, { epoch: E, offset: 7 });
	socket().receive({ type: 'ack', id: frame.id, recovered: true, epoch: E, offset: 8, messages: [msg('chat.lobby', 'b', 8)] });
	assert.deepEqual(received, ['a', 'b']);
});

test('a publish ack gives a history topic its start before any message arrived', async () => {
	const context = subscribedTo();
	const { client, socket, received } = context;
	const published = client.publish('chat.lobby', 'mine');
	socket().receive({ type: 'ack', id: socket().lastSent().id, offset: 10, epoch: E });
	assert.equal(await published, undefined);
	socket().receive(msg('chat.lobby', 'earlier', 9));
	socket().receive(msg('chat.lobby', 'mine', 10));
	assert.deepEqual(received, ['earlier', 'mine'], 'the ack drops nothing');
	const other = subscribedTo('chat.dev');
	const publishedThere = other.client.publish('chat.dev', 'x');
	other.socket().receive({ type: 'ack', id: other.socket().lastSent().id, offset: 10, epoch: E });
	await publishedThere;
	reconnect(other);
	assert.deepEqual(other.socket().lastSent().since, { epoch: E, offset: 9 });
});

test('history() resolves with the messages of the ack', async () => {
	const { client, socket } = connected();
	const read = client.history('chat.lobby', 2);
	const frame = socket().lastSent();
	assert.deepEqual(frame, { type: 'history', topic: 'chat.lobby', limit: 2, id: frame.id });
	socket().receive({ type: 'ack', id: frame.id, epoch: E, offset: 44,
		messages: [msg('chat.lobby', { text: 'b' }, 43), msg('chat.lobby', 'c', 44)] });
	assert.deepEqual(await read, [{ data: { text: 'b' }, offset: 43, epoch: E }, { data: 'c', offset: 44, epoch: E }]);
	const all = client.history('chat.lobby');
	assert.equal('limit' in socket().lastSent(), false);
	socket().receive({ type: 'ack', id: socket().lastSent().id, epoch: E, offset: 0, messages: [] });
	assert.deepEqual(await all, []);
	const none = client.history('chat.plain', 5);
	socket().receive({ type: 'error', id: socket().lastSent().id, code: 'no_history', message: 'No history' });
	await assert.rejects(none, { code: 'no_history', topic: 'chat.plain' });
	socket().drop(1006);
	await assert.rejects(client.history('chat.lobby'), { code: 'not_connected' });
});

test('topics without history are resubscribed without since and get no recovery event', () => {
	const context = subscribedTo('chat.plain');
	const { client, socket, received } = context;
	const recoveries = [];
	client.on('recovery', (...args) => recoveries.push(args));
	socket().receive({ type: 'message', topic: 'chat.plain', data: 'x' });
	socket().receive({ type: 'message', topic: 'chat.plain', data: 'x' });
	reconnect(context);
	const frame = socket().lastSent();
	assert.deepEqual(frame, { type: 'subscribe', topic: 'chat.plain', id: frame.id });
	socket().receive({ type: 'ack', id: frame.id });
	socket().receive({ type: 'message', topic: 'chat.plain', data: 'y' });
	assert.deepEqual(received, ['x', 'x', 'y']);
	assert.deepEqual(recoveries, []);
});
