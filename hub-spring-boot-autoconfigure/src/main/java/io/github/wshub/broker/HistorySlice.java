package io.github.wshub.broker;

import java.util.List;

/**
 * Messages read from a topic's history, with the history's position when they were read.
 *
 * @param epoch the history's epoch
 * @param top the offset of the topic's latest message (0 when none was published in this epoch)
 * @param entries the messages read, oldest first
 * @author wshub
 */
public record HistorySlice(String epoch, long top, List<Entry> entries) {

	/**
	 * One message of a topic's history.
	 *
	 * @param offset the message's offset
	 * @param frame the UTF-8 {@code message} frame, carrying its offset and epoch
	 */
	public record Entry(long offset, byte[] frame) {
	}

}
