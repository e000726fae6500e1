package io.github.wshub.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts of topics with history. Both take {@code KEYS[1]}, the topic's stream, and
 * {@code KEYS[2]}, its meta hash (see {@link RedisNames#historyKey} and
 * {@link RedisNames#historyMetaKey}; one Cluster slot). Both create the meta hash, with the
 * caller's candidate epoch and offset 0, when it is missing, and then delete the stream: its
 * offsets belonged to a lost epoch.
 *
 * @author wshub
 */
final class HistoryScripts {

	/**
	 * Every how many offsets a publish renews the meta hash's TTL when nothing else requires it.
	 */
	static final int META_RENEWAL = 64;

	// Used by READ: returns the epoch and the top offset, creating the meta when missing. PUBLISH
	// inlines the part it needs (the offset comes from its HINCRBY).
	private static final String META = """
			local function meta(stream, metakey, candidate, metattl)
			  local epoch = redis.call('HGET', metakey, 'epoch')
			  local top = 0
			  if not epoch then
			    epoch = candidate
			    redis.call('DEL', stream)
			    redis.call('HSET', metakey, 'epoch', epoch, 'offset', 0)
			  else
			    top = tonumber(redis.call('HGET', metakey, 'offset') or '0')
			  end
			  redis.call('EXPIRE', metakey, metattl)
			  return epoch, top
			end
			""";

	/**
	 * Publish: next offset, append, trim, expire, publish, in one atomic step. {@code ARGV}: the
	 * channel, the envelope header without its line end, the {@code message} frame (a JSON object),
	 * the history size, its TTL in milliseconds, the meta TTL in seconds and a candidate epoch. The
	 * frame gets {@code "offset"} and {@code "epoch"} spliced in before its closing brace, the
	 * envelope header gets them appended. Returns {@code {offset, epoch, receivers}}.
	 */
	static final Script PUBLISH = publish("PUBLISH");

	/**
	 * {@link #PUBLISH} for sharded Pub/Sub: the same steps with {@code SPUBLISH}. The channel has
	 * the topic as its hash tag, like both keys, so on a Redis Cluster the script runs on the one
	 * node that owns the topic's slot.
	 */
	static final Script SPUBLISH = publish("SPUBLISH");

	/**
	 * Read: the epoch, the top offset and some entries. {@code ARGV}: {@code after} (entries from
	 * the id {@code ARGV[2]} on, oldest first) or {@code last} (the newest entries, newest first),
	 * the first entry id (for {@code after}), the most entries, a candidate epoch and the meta TTL
	 * in seconds. Returns {@code {epoch, top, id1, frame1, id2, frame2, ...}}.
	 */
	static final Script READ = new Script(META + """
			local epoch, top = meta(KEYS[1], KEYS[2], ARGV[4], ARGV[5])
			local entries
			if ARGV[1] == 'after' then
			  entries = redis.call('XRANGE', KEYS[1], ARGV[2], '+', 'COUNT', ARGV[3])
			else
			  entries = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', ARGV[3])
			end
			local result = {epoch, top}
			for _, entry in ipairs(entries) do
			  result[#result + 1] = entry[1]
			  result[#result + 1] = entry[2][2]
			end
			return result
			""");

	private HistoryScripts() {
	}

	// The meta hash's TTL is renewed only when needed, one command fewer per publish: when the
	// meta is created, when the stream was missing (PEXPIRE answers 0) and on every
	// META_RENEWAL-th offset. Between two renewals at most META_RENEWAL - 1 publishes each found
	// the stream alive, so each came within the history TTL of the one before: the stream
	// expires at most META_RENEWAL history TTLs after the last renewal, and the meta TTL is
	// longer than twice that (RedisTopicHistory#metaTtl), so the meta always outlives the stream.
	private static Script publish(String command) {
		return new Script("""
				local epoch = redis.call('HGET', KEYS[2], 'epoch')
				local renew = false
				if not epoch then
				  epoch = ARGV[7]
				  redis.call('DEL', KEYS[1])
				  redis.call('HSET', KEYS[2], 'epoch', epoch, 'offset', 0)
				  renew = true
				end
				local offset = redis.call('HINCRBY', KEYS[2], 'offset', 1)
				local existed = redis.call('PEXPIRE', KEYS[1], ARGV[5]) == 1
				if renew or not existed or math.fmod(offset, %d) == 0 then
				  redis.call('EXPIRE', KEYS[2], ARGV[6])
				end
				local o = tostring(offset)
				local frame = string.sub(ARGV[3], 1, -2) .. ',"offset":' .. o .. ',"epoch":"' .. epoch .. '"}'
				redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[4], '0-' .. o, 'f', frame)
				if not existed then
				  redis.call('PEXPIRE', KEYS[1], ARGV[5])
				end
				local receivers = redis.call('%s', ARGV[1], ARGV[2] .. ' ' .. o .. ' ' .. epoch .. '\\n' .. frame)
				return {offset, epoch, receivers}
				""".formatted(META_RENEWAL, command));
	}

	/**
	 * A Lua script and its SHA-1 digest, for {@code EVALSHA}.
	 *
	 * @param source the script
	 * @param sha1 the digest, in lower-case hex
	 */
	record Script(String source, String sha1) {

		Script(String source) {
			this(source, sha1(source));
		}

		private static String sha1(String source) {
			try {
				MessageDigest digest = MessageDigest.getInstance("SHA-1");
				return HexFormat.of().formatHex(digest.digest(source.getBytes(StandardCharsets.UTF_8)));
			}
			catch (NoSuchAlgorithmException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

}
