package io.github.wshub.broker;

/**
 * A position in a topic's history: the epoch of the history and an offset in it.
 *
 * @param epoch the epoch, which changes whenever the topic's offsets restart (for example when
 * Redis lost its data)
 * @param offset the offset; 0 before the first message of the epoch
 * @author wshub
 */
public record StreamPosition(String epoch, long offset) {
}
