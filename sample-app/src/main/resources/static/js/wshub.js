/**
 * wshub.js: a dependency-free browser client for the wshub protocol v1 (docs/protocol.md).
 *
 * Load it as an ES module, no build step needed:
 *
 *   <script type="module">
 *     import { WshubClient } from '/js/wshub.js';
 *     const hub = new WshubClient(['wss://a.example.com/ws', 'wss://b.example.com/ws']);
 *     hub.on('state', (state) => console.log('hub is', state));
 *     hub.connect();
 *     await hub.subscribe('chat.lobby', (data) => console.log(data));
 *     await hub.publish('chat.lobby', { text: 'hello' });
 *   </script>
 *
 * The client reconnects by itself after a close whose code asks for it (see shouldReconnect),
 * with capped exponential backoff and jitter, trying the next URL of its list on every attempt,
 * and resubscribes every topic after each reconnect. A refused handshake (an instance answering
 * 503 while it drains) reaches browsers as 1006, so it is retried as well. On topics without
 * history, messages published while the client was disconnected are not delivered.
 *
 * On topics with history (docs/protocol.md, "History and recovery") the client keeps the epoch
 * and offset of the last message delivered, resubscribes with `since` after every reconnect
 * (4005, state lost, is one of the reconnecting close codes) and passes the recovered messages to
 * the topic's handler, oldest first, before the live ones; a message at or below the last
 * delivered offset of the same epoch is dropped. A live message whose offset skips some (lost on
 * the way to this connection, for example while the dispatch lane was full) is held back: the
 * client unsubscribes and subscribes again with `since`, so the missing messages come first, in
 * order. Every recovery answer is a 'recovery' event:
 *
 *   hub.on('recovery', (topic, { recovered, missed }) => {
 *     if (!recovered) reloadFromTheApplication(topic); // `missed` messages are lost (null: unknown)
 *   });
 *
 * @author wshub
 */

/** Standard close codes after which reconnecting is expected to succeed. */
const RECONNECT_CODES = new Set([1001, 1005, 1006, 1011, 1012, 1013, 1014]);

/** WebSocket.OPEN, without depending on a global WebSocket. */
const OPEN = 1;

/**
 * @typedef {'connecting' | 'open' | 'reconnecting' | 'closed'} ConnectionState
 *
 * @typedef {object} BackoffOptions
 * @property {number} [initialDelay=500] delay before the first reconnect attempt, in ms
 * @property {number} [maxDelay=15000] cap of the delay, in ms
 * @property {number} [multiplier=2] growth of the delay per failed attempt
 * @property {number} [jitter=0.5] fraction (0 to 1) of the delay that is randomly taken off
 *
 * @typedef {object} WshubOptions
 * @property {BackoffOptions} [reconnect] reconnect backoff
 * @property {new (url: string) => WebSocket} [WebSocket] WebSocket constructor (tests inject a fake)
 * @property {(fn: () => void, ms: number) => any} [setTimeout] timer function
 * @property {(handle: any) => void} [clearTimeout] timer cancellation
 * @property {() => number} [random] random numbers in [0, 1)
 *
 * @typedef {object} Welcome
 * @property {string} session the session id; server code addresses this session with it
 * @property {string} instance the id of the instance serving the connection
 * @property {number} protocol the protocol version
 *
 * @typedef {object} StateDetail
 * @property {number} [code] the close code that caused the change
 * @property {string} [reason] the close reason
 * @property {number} [delay] ms until the next attempt (state 'reconnecting')
 * @property {string} [url] the URL being connected to
 *
 * @typedef {(data: any, topic: string, position?: Position) => void} MessageHandler
 *
 * @typedef {object} Position a message's place in a history topic
 * @property {string} epoch the topic's epoch: offsets compare only within one epoch
 * @property {number} offset the message's offset, 1, 2, 3, ... per epoch
 *
 * @typedef {object} Recovery the detail of a 'recovery' event
 * @property {boolean} recovered true: every missed message was delivered to the handler before
 * this event; false: they are lost (the epoch changed or the history no longer holds them), and
 * the application must re-read its state; live messages continue from `epoch` and `offset`
 * @property {number | null} missed how many messages the topic got while the client was away
 * (delivered when recovered), or null when unknown (another epoch)
 * @property {string} epoch the topic's epoch now
 * @property {number} offset the topic's latest offset now
 *
 * @typedef {object} HistoryMessage a message read with history()
 * @property {any} data the published value
 * @property {number} offset its offset
 * @property {string} epoch its epoch
 */

/** Whether a frame carries a history position. */
function hasPosition(frame) {
	return typeof frame.epoch === 'string' && Number.isSafeInteger(frame.offset);
}

/**
 * Whether to reconnect after a close with this code; mirrors HubCloseStatus.shouldReconnect.
 * @param {number} code the close code
 * @returns {boolean} true for 4000 to 4499 and 1001, 1005, 1006, 1011, 1012, 1013, 1014
 */
export function shouldReconnect(code) {
	return (code >= 4000 && code <= 4499) || RECONNECT_CODES.has(code);
}

/**
 * The delay before reconnect attempt number `attempt` (0 for the first):
 * min(maxDelay, initialDelay * multiplier^attempt), minus a random part of up to `jitter` of it.
 * @param {number} attempt failed attempts since the last welcome
 * @param {Required<BackoffOptions>} backoff the backoff settings
 * @param {() => number} random random numbers in [0, 1)
 * @returns {number} the delay in ms, between (1 - jitter) * capped and capped
 */
export function backoffDelay(attempt, backoff, random) {
	const capped = Math.min(backoff.maxDelay, backoff.initialDelay * Math.pow(backoff.multiplier, attempt));
	return Math.round(capped * (1 - backoff.jitter * random()));
}

/** A failed request: `code` is a protocol error code, or 'connection_closed' / 'not_connected'. */
export class WshubError extends Error {
	/**
	 * @param {string} code the error code
	 * @param {string} message what happened
	 * @param {string} [topic] the topic of the failed request
	 */
	constructor(code, message, topic) {
		super(message);
		this.name = 'WshubError';
		this.code = code;
		this.topic = topic;
	}
}

/** A wshub connection that survives reconnects. Events: state, welcome, direct, recovery, error. */
export class WshubClient {
	/** @type {ConnectionState} the connection state */
	state = 'closed';

	/** @type {Welcome | null} the welcome frame of the current connection, null until it arrives */
	welcome = null;

	#urlIndex = 0;
	#attempt = 0;
	#nextId = 1;
	#socket = null;
	#timer = null;
	/** @type {Map<number, {resolve: Function, reject: Function, topic: string, onAck?: Function}>} */
	#pending = new Map();
	/**
	 * Per topic: its handler, the subscribes waiting for a connection, the position of the last
	 * message delivered (history topics), and `hint`, a position known from a publish ack while no
	 * message was delivered yet (used for `since` only, never to drop messages).
	 * `repairing` is set while the topic is resubscribed after a gap; live messages are dropped
	 * meanwhile (the resubscribe's recovery brings them).
	 * @type {Map<string, {handler: MessageHandler, waiting: {resolve: Function, reject: Function}[],
	 *   epoch?: string, offset?: number, hint?: Position, repairing?: boolean}>}
	 */
	#topics = new Map();
	/** @type {Map<string, Set<Function>>} */
	#listeners = new Map();

	/**
	 * @param {string | string[]} urls one WebSocket URL (ws:// or wss://) or several, tried in turn
	 * @param {WshubOptions} [options] backoff, and injectable WebSocket and timers
	 */
	constructor(urls, options = {}) {
		/** @type {string[]} */
		this.urls = Array.isArray(urls) ? [...urls] : [urls];
		if (this.urls.length === 0 || !this.urls.every((url) => /^wss?:\/\/\S+$/.test(String(url)))) {
			throw new TypeError('urls must be one or more ws:// or wss:// URLs');
		}
		/** @type {Required<BackoffOptions>} */
		this.backoff = { initialDelay: 500, maxDelay: 15000, multiplier: 2, jitter: 0.5, ...options.reconnect };
		const { initialDelay, maxDelay, multiplier, jitter } = this.backoff;
		if (!(initialDelay > 0 && maxDelay >= initialDelay && multiplier >= 1 && jitter >= 0 && jitter <= 1)) {
			throw new RangeError('reconnect needs initialDelay > 0, maxDelay >= initialDelay, multiplier >= 1 and jitter in [0, 1]');
		}
		this.WebSocket = options.WebSocket ?? globalThis.WebSocket;
		if (typeof this.WebSocket !== 'function') {
			throw new TypeError('No WebSocket implementation: pass options.WebSocket');
		}
		this.setTimeout = options.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
		this.clearTimeout = options.clearTimeout ?? ((handle) => globalThis.clearTimeout(handle));
		this.random = options.random ?? Math.random;
	}

	/** @returns {string} the URL of the current connection, or of the next attempt */
	get url() {
		return this.urls[this.#urlIndex];
	}

	/** @returns {string[]} the topics subscribed now or to subscribe on the next connection */
	get topics() {
		return [...this.#topics.keys()];
	}

	/**
	 * Listen to 'state' (state, detail), 'welcome' (welcome), 'direct' (data, frame), 'recovery'
	 * (topic, Recovery: the answer to a resubscribe with `since` on a history topic) or 'error'
	 * (a WshubError: an error reply to no pending request, a failed resubscribe, an unreadable
	 * frame, a URL the WebSocket constructor refused).
	 * @param {'state' | 'welcome' | 'direct' | 'recovery' | 'error'} event the event
	 * @param {Function} fn the listener
	 * @returns {() => void} removes the listener
	 */
	on(event, fn) {
		if (!this.#listeners.has(event)) {
			this.#listeners.set(event, new Set());
		}
		this.#listeners.get(event).add(fn);
		return () => this.#listeners.get(event).delete(fn);
	}

	/** Open the connection; does nothing unless the client is closed. */
	connect() {
		if (this.state === 'closed') {
			this.#attempt = 0;
			this.#setState('connecting', { url: this.url });
			this.#open();
		}
	}

	/** Close for good: no reconnect; pending requests and waiting subscribes reject. */
	close() {
		if (this.state === 'closed') {
			return;
		}
		this.clearTimeout(this.#timer);
		this.#timer = null;
		const socket = this.#socket;
		this.#socket = null;
		socket?.close(1000, 'client closed');
		this.#dropped(new WshubError('connection_closed', 'The client was closed'), true);
		this.#setState('closed', { code: 1000, reason: 'client closed' });
	}

	/**
	 * Subscribe to a topic, now and after every reconnect, until unsubscribe. Subscribing again
	 * to the same topic replaces its handler.
	 * @param {string} topic the topic
	 * @param {MessageHandler} handler receives each message's data, the topic, and on history
	 * topics the message's position
	 * @returns {Promise<void>} resolves on the server's ack (on the next connection when not
	 * connected); rejects with a WshubError on an error reply (the topic is then forgotten) or
	 * when the connection drops first (the topic is kept and resubscribed after the reconnect)
	 */
	subscribe(topic, handler) {
		if (typeof handler !== 'function') {
			return Promise.reject(new TypeError('handler must be a function'));
		}
		const entry = this.#topics.get(topic) ?? { handler, waiting: [] };
		entry.handler = handler;
		this.#topics.set(topic, entry);
		if (this.#isOpen()) {
			return this.#subscribeNow(topic);
		}
		return new Promise((resolve, reject) => entry.waiting.push({ resolve, reject }));
	}

	/**
	 * Stop receiving a topic's messages, now and after reconnects.
	 * @param {string} topic the topic
	 * @returns {Promise<void>} resolves on the server's ack, or at once when not connected
	 */
	unsubscribe(topic) {
		const waiting = this.#topics.get(topic)?.waiting ?? [];
		this.#topics.delete(topic);
		waiting.forEach((waiter) => waiter.reject(new WshubError('unsubscribed', 'Unsubscribed', topic)));
		return this.#isOpen() ? this.#request({ type: 'unsubscribe', topic }) : Promise.resolve();
	}

	/**
	 * Publish to a topic.
	 * @param {string} topic the topic
	 * @param {any} data any JSON value
	 * @returns {Promise<void>} resolves once the server's broker accepted it; rejects with a
	 * WshubError on an error reply, when not connected, or when the connection drops first
	 */
	publish(topic, data) {
		if (!this.#isOpen()) {
			return Promise.reject(new WshubError('not_connected', 'Not connected', topic));
		}
		return this.#request({ type: 'publish', topic, data: data === undefined ? null : data }, (ack) => {
			// The message itself may still be on its way (and earlier ones too), so the ack's offset
			// cannot drop anything; while nothing was delivered it still gives the resubscribe a start.
			const entry = this.#topics.get(topic);
			if (entry && entry.epoch === undefined && hasPosition(ack)) {
				entry.hint = { epoch: ack.epoch, offset: ack.offset - 1 };
			}
		}).then(() => undefined);
	}

	/**
	 * Read the last messages of a topic with history.
	 * @param {string} topic the topic
	 * @param {number} [limit] how many at most (the server's `hub.history.size` when left out)
	 * @returns {Promise<HistoryMessage[]>} the messages, oldest first; rejects with a WshubError on
	 * an error reply (`no_history` for a topic without history), when not connected, or when the
	 * connection drops first
	 */
	history(topic, limit) {
		if (!this.#isOpen()) {
			return Promise.reject(new WshubError('not_connected', 'Not connected', topic));
		}
		const frame = limit === undefined ? { type: 'history', topic } : { type: 'history', topic, limit };
		return this.#request(frame).then((ack) => (Array.isArray(ack.messages) ? ack.messages : [])
			.map((message) => ({ data: message.data, offset: message.offset, epoch: message.epoch })));
	}

	#isOpen() {
		return this.#socket !== null && this.#socket.readyState === OPEN;
	}

	#setState(state, detail) {
		this.state = state;
		this.#emit('state', state, detail);
	}

	#emit(event, ...args) {
		this.#listeners.get(event)?.forEach((fn) => fn(...args));
	}

	#open() {
		this.#timer = null;
		this.welcome = null;
		let socket;
		try {
			socket = new this.WebSocket(this.url);
		}
		catch (error) {
			this.#emit('error', new WshubError('connection_failed', `Cannot connect to ${this.url}: ${error.message}`));
			this.#closed({ code: 1006, reason: 'WebSocket constructor failed' });
			return;
		}
		this.#socket = socket;
		socket.onopen = () => this.#socket === socket && this.#opened();
		socket.onmessage = (event) => this.#socket === socket && this.#received(event.data);
		socket.onclose = (event) => this.#socket === socket && this.#closed(event);
	}

	#opened() {
		this.#setState('open', { url: this.url });
		for (const [topic, entry] of this.#topics) {
			entry.repairing = false;
			const waiting = entry.waiting.splice(0);
			this.#subscribeNow(topic).then(
				() => waiting.forEach((waiter) => waiter.resolve()),
				(error) => {
					waiting.forEach((waiter) => waiter.reject(error));
					if (waiting.length === 0 && error.code !== 'connection_closed') {
						this.#emit('error', error);
					}
				});
		}
	}

	#subscribeNow(topic) {
		const entry = this.#topics.get(topic);
		const since = entry.epoch !== undefined ? { epoch: entry.epoch, offset: entry.offset } : entry.hint;
		const frame = since ? { type: 'subscribe', topic, since: { ...since } } : { type: 'subscribe', topic };
		return this.#request(frame, (ack) => this.#recovered(topic, since, ack)).then(() => undefined, (error) => {
			if (error.code !== 'connection_closed') {
				this.#topics.delete(topic);
			}
			throw error;
		});
	}

	/**
	 * Handles the ack of a subscribe: with `recovered`, delivers the recovered messages at once
	 * (the server sends the ack before any live message of the topic) and moves to its position.
	 */
	#recovered(topic, since, ack) {
		const entry = this.#topics.get(topic);
		if (entry) {
			entry.repairing = false;
		}
		if (!entry || typeof ack.recovered !== 'boolean' || !hasPosition(ack)) {
			return;
		}
		if (ack.recovered && Array.isArray(ack.messages)) {
			ack.messages.forEach((message) => this.#deliver(entry, message));
		}
		if (entry.epoch !== ack.epoch || entry.offset < ack.offset) {
			entry.epoch = ack.epoch;
			entry.offset = ack.offset;
		}
		entry.hint = undefined;
		const missed = since && since.epoch === ack.epoch && ack.offset >= since.offset ? ack.offset - since.offset : null;
		this.#emit('recovery', topic, { recovered: ack.recovered, missed, epoch: ack.epoch, offset: ack.offset });
	}

	/**
	 * Passes a message to the topic's handler, unless it was delivered already; a live message
	 * after a gap starts a repair instead.
	 */
	#deliver(entry, frame, live = false) {
		if (!hasPosition(frame)) {
			entry.handler(frame.data, frame.topic);
			return;
		}
		if (frame.epoch === entry.epoch && frame.offset <= entry.offset) {
			return;
		}
		if (live && (entry.repairing || (frame.epoch === entry.epoch && frame.offset > entry.offset + 1))) {
			this.#repair(frame.topic, entry);
			return;
		}
		entry.epoch = frame.epoch;
		entry.offset = frame.offset;
		entry.hint = undefined;
		entry.handler(frame.data, frame.topic, { epoch: frame.epoch, offset: frame.offset });
	}

	/**
	 * Resubscribes a topic with `since` its last delivered position, once at a time: the
	 * server's recovery then delivers the missing messages and the dropped live ones in order.
	 */
	#repair(topic, entry) {
		if (entry.repairing || !this.#isOpen()) {
			return;
		}
		entry.repairing = true;
		const resubscribe = () => {
			if (this.#isOpen() && this.#topics.get(topic) === entry && entry.repairing) {
				this.#subscribeNow(topic).catch((error) => error.code !== 'connection_closed' && this.#emit('error', error));
			}
		};
		this.#request({ type: 'unsubscribe', topic }).then(resubscribe, resubscribe);
	}

	#request(frame, onAck) {
		const id = this.#nextId++;
		return new Promise((resolve, reject) => {
			this.#pending.set(id, { resolve, reject, topic: frame.topic, onAck });
			this.#socket.send(JSON.stringify({ ...frame, id }));
		});
	}

	#received(text) {
		let frame;
		try {
			frame = JSON.parse(text);
		}
		catch {
			this.#emit('error', new WshubError('invalid_frame', 'Unreadable frame from the server'));
			return;
		}
		if (frame.type === 'welcome') {
			this.welcome = { session: frame.session, instance: frame.instance, protocol: frame.protocol };
			this.#attempt = 0;
			this.#emit('welcome', this.welcome);
		}
		else if (frame.type === 'message') {
			const entry = this.#topics.get(frame.topic);
			if (entry) {
				this.#deliver(entry, frame, true);
			}
		}
		else if (frame.type === 'direct') {
			this.#emit('direct', frame.data, frame);
		}
		else if (frame.type === 'ack' || frame.type === 'error') {
			const request = this.#pending.get(frame.id);
			this.#pending.delete(frame.id);
			if (frame.type === 'ack') {
				try {
					request?.onAck?.(frame);
				}
				finally {
					request?.resolve(frame);
				}
			}
			else {
				const error = new WshubError(frame.code, frame.message, request?.topic);
				request ? request.reject(error) : this.#emit('error', error);
			}
		}
	}

	#closed({ code, reason }) {
		this.#socket = null;
		const reconnect = shouldReconnect(code);
		this.#dropped(new WshubError('connection_closed', `Connection closed (${code})`), !reconnect);
		if (!reconnect) {
			this.#setState('closed', { code, reason });
			return;
		}
		const delay = backoffDelay(this.#attempt++, this.backoff, this.random);
		this.#urlIndex = (this.#urlIndex + 1) % this.urls.length;
		this.#setState('reconnecting', { code, reason, delay, url: this.url });
		this.#timer = this.setTimeout(() => this.#open(), delay);
	}

	/** Rejects pending requests and, when final, the subscribes waiting for a connection. */
	#dropped(error, final) {
		const pending = [...this.#pending.values()];
		this.#pending.clear();
		pending.forEach((request) => request.reject(new WshubError(error.code, error.message, request.topic)));
		if (final) {
			for (const [topic, entry] of this.#topics) {
				entry.waiting.splice(0).forEach((waiter) => waiter.reject(new WshubError(error.code, error.message, topic)));
			}
		}
	}
}
