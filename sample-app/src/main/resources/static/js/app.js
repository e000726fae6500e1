// The sample chat page: logs in by name, joins rooms (topics chat.<room>), chats, sends direct
// messages through /api/direct and shows the hub state of the instance it is connected to.
//
// By default the page connects to the instance that served it. List several instances to fail
// over between them: ?ws=ws://localhost:8080/ws,ws://localhost:8081/ws
import { WshubClient } from './wshub.js';

const $ = (id) => document.getElementById(id);
const ROOM = /^[A-Za-z0-9_-]{1,64}$/;
const POLL_INTERVAL = 2000;

const urls = instanceUrls();
/** @type {WshubClient | null} */
let client = null;
let me = null;
let token = null;
const rooms = new Set();

function instanceUrls() {
	const listed = new URLSearchParams(location.search).get('ws');
	const own = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
	if (!listed) {
		return [own];
	}
	const valid = listed.split(',').map((url) => url.trim()).filter((url) => /^wss?:\/\/[^\s?#]+$/.test(url));
	return valid.length > 0 ? valid : [own];
}

/** The http(s) origin of the instance behind a WebSocket URL. */
function httpBase(wsUrl) {
	const url = new URL(wsUrl);
	return (url.protocol === 'wss:' ? 'https://' : 'http://') + url.host;
}

/** Where HTTP calls go: the instance the page is connected to, or would connect to. */
function currentBase() {
	return httpBase(client ? client.url : urls[0]);
}

function line(className, parts, dataset = {}) {
	const log = $('log');
	const div = document.createElement('div');
	div.className = className;
	for (const [tag, text, cls] of parts) {
		const span = document.createElement(tag);
		span.textContent = text;
		if (cls) {
			span.className = cls;
		}
		div.append(span);
	}
	Object.assign(div.dataset, dataset);
	const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
	log.append(div);
	if (atBottom) {
		log.scrollTop = log.scrollHeight;
	}
}

const note = (text) => line('sys', [['span', text]]);

function via(sentVia, deliveredBy) {
	const crossed = sentVia && deliveredBy && sentVia !== deliveredBy;
	return [
		['span', `sent via ${sentVia ?? '?'} · delivered by ${deliveredBy}`, 'meta'],
		...(crossed ? [['span', 'crossed instances', 'tag']] : []),
	];
}

function showMessage(data, topic) {
	const deliveredBy = client.welcome?.instance ?? '?';
	const message = (data && typeof data === 'object') ? data : { text: String(data) };
	line('msg', [['span', `#${topic.slice('chat.'.length)}`, 'room'], ['b', String(message.from ?? 'anonymous')],
		['span', String(message.text ?? ''), 'text'], ...via(message.instance, deliveredBy)],
		{ from: String(message.from ?? ''), text: String(message.text ?? ''), topic,
			sentVia: String(message.instance ?? ''), deliveredBy });
}

function showDirect(data) {
	const deliveredBy = client.welcome?.instance ?? '?';
	line('msg direct', [['span', 'direct', 'room'], ['b', String(data?.from ?? '?')],
		['span', String(data?.text ?? ''), 'text'], ...via(data?.instance, deliveredBy)],
		{ from: String(data?.from ?? ''), text: String(data?.text ?? ''), sentVia: String(data?.instance ?? ''),
			deliveredBy });
}

function showState(state, detail) {
	const badge = $('state');
	badge.textContent = state === 'reconnecting' && detail.delay !== undefined
		? `reconnecting in ${(detail.delay / 1000).toFixed(1)}s` : state;
	badge.dataset.state = state;
	if (state !== 'open') {
		$('instance').textContent = 'no instance';
	}
	if (state === 'reconnecting' && detail.delay !== undefined) {
		note(`connection lost (${detail.code}), reconnecting to ${detail.url.split('?')[0]}`);
	}
	else if (state === 'closed' && detail.code !== undefined) {
		note(`connection closed (${detail.code}${detail.reason ? ' ' + detail.reason : ''}), not reconnecting`);
	}
	const open = state === 'open';
	$('join-button').disabled = !open;
	$('send-button').disabled = !open || rooms.size === 0;
	$('direct-send').disabled = !open;
}

async function postJson(path, body) {
	const headers = { 'Content-Type': 'application/json' };
	if (token) {
		headers.Authorization = `Bearer ${token}`;
	}
	const response = await fetch(currentBase() + path, { method: 'POST', headers, body: JSON.stringify(body) });
	const json = await response.json().catch(() => ({}));
	if (!response.ok) {
		throw new Error(json.detail ?? `${response.status} ${response.statusText}`);
	}
	return json;
}

async function logIn(name) {
	const login = await postJson('/api/login', { name });
	client?.close();
	me = login.name;
	token = login.token;
	client = new WshubClient(urls.map((url) => `${url}?token=${encodeURIComponent(token)}`));
	client.on('state', showState);
	client.on('welcome', (welcome) => {
		$('instance').textContent = welcome.instance;
		note(`connected to instance ${welcome.instance} as ${me}`);
		pollHub();
	});
	client.on('direct', showDirect);
	client.on('recovery', showRecovery);
	client.on('error', (error) => note(`error ${error.code}${error.topic ? ' on ' + error.topic : ''}: ${error.message}`));
	for (const room of rooms) {
		client.subscribe(`chat.${room}`, showMessage).catch(() => {});
	}
	client.connect();
	$('me').textContent = `Logged in as ${me}.`;
}

// The room's recent messages, shown once when it is joined (without data attributes: they are
// not live deliveries).
async function showRecent(room) {
	const recent = await client.history(`chat.${room}`, 20).catch(() => []);
	for (const { data } of recent) {
		const message = (data && typeof data === 'object') ? data : { text: String(data) };
		line('msg earlier', [['span', `#${room}`, 'room'], ['b', String(message.from ?? 'anonymous')],
			['span', String(message.text ?? ''), 'text'], ['span', 'earlier', 'meta']]);
	}
}

function showRecovery(topic, { recovered, missed }) {
	const room = `#${topic.slice('chat.'.length)}`;
	note(recovered ? `${room}: recovered ${missed ?? 0} message(s) missed while reconnecting`
		: `${room}: messages missed while reconnecting could not be recovered`);
}

async function join(room) {
	rooms.add(room);
	renderRooms();
	try {
		await showRecent(room);
		await client.subscribe(`chat.${room}`, showMessage);
		note(`joined #${room} on instance ${client.welcome?.instance ?? '?'}`);
	}
	catch (error) {
		if (error.code !== 'connection_closed') {
			rooms.delete(room);
			renderRooms();
		}
		note(`could not join #${room}: ${error.message}`);
	}
}

function leave(room) {
	rooms.delete(room);
	renderRooms();
	client.unsubscribe(`chat.${room}`).then(() => note(`left #${room}`), () => {});
}

function renderRooms() {
	const list = $('rooms');
	const select = $('send-room');
	const selected = select.value;
	list.replaceChildren();
	select.replaceChildren();
	for (const room of rooms) {
		const item = document.createElement('li');
		item.dataset.room = room;
		item.textContent = `#${room} `;
		const button = document.createElement('button');
		button.textContent = 'leave';
		button.className = 'link';
		button.addEventListener('click', () => leave(room));
		item.append(button);
		list.append(item);
		select.append(new Option(`#${room}`, room, false, room === selected));
	}
	$('send-button').disabled = client?.state !== 'open' || rooms.size === 0;
}

async function pollHub() {
	const base = currentBase();
	$('hub-source').textContent = new URL(base).host;
	try {
		const [hub, cluster] = await Promise.all([
			fetch(`${base}/actuator/hub`).then((response) => response.json()),
			fetch(`${base}/actuator/hub/instances`).then((response) => response.json()),
		]);
		$('hub-instance').textContent = hub.instance;
		$('hub-state').textContent = hub.state;
		$('hub-sessions').textContent = hub.sessions;
		$('hub-users').textContent = hub.users;
		$('hub-topics').textContent = hub.topics;
		$('hub-broker-subscriptions').textContent = hub.brokerSubscriptions;
		$('hub-broker').textContent = `${hub.broker.connected ? 'connected' : 'DISCONNECTED'} (${hub.broker.type})`;
		$('hub-panel').dataset.reachable = 'true';
		$('hub-instances').replaceChildren(...cluster.instances.map((instance) => {
			const item = document.createElement('li');
			item.textContent = `${instance.id}: ${instance.sessions} session(s)${instance.alive ? '' : ', not alive'}`;
			item.className = instance.id === hub.instance ? 'self' : '';
			return item;
		}));
	}
	catch {
		$('hub-state').textContent = 'unreachable';
		$('hub-panel').dataset.reachable = 'false';
	}
}

$('origin').textContent = location.host;
$('login-form').addEventListener('submit', (event) => {
	event.preventDefault();
	logIn($('name').value.trim()).catch((error) => { $('me').textContent = `Login failed: ${error.message}`; });
});
$('join-form').addEventListener('submit', (event) => {
	event.preventDefault();
	const room = $('room').value.trim();
	if (!ROOM.test(room)) {
		note('a room name is letters, digits, _ or -');
		return;
	}
	if (!rooms.has(room)) {
		join(room).then(() => { $('send-room').value = room; });
	}
});
$('send-form').addEventListener('submit', (event) => {
	event.preventDefault();
	const room = $('send-room').value;
	const text = $('text').value;
	if (!room || !text) {
		return;
	}
	$('text').value = '';
	client.publish(`chat.${room}`, { from: me, text, instance: client.welcome?.instance ?? null })
		.catch((error) => note(`not sent: ${error.message}`));
});
$('direct-form').addEventListener('submit', (event) => {
	event.preventDefault();
	const to = $('direct-to').value.trim();
	const text = $('direct-text').value;
	postJson('/api/direct', { to, text }).then((result) => {
		$('direct-result').textContent = result.delivered
			? `delivered to ${result.sessions} session(s) on ${result.instances} instance(s)` : `${to} is offline`;
		$('direct-text').value = '';
	}, (error) => { $('direct-result').textContent = `not sent: ${error.message}`; });
});
pollHub();
setInterval(pollHub, POLL_INTERVAL);
