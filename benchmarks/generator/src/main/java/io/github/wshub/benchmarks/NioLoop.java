package io.github.wshub.benchmarks;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One selector thread serving many connections.
 */
final class NioLoop implements Runnable, AutoCloseable {

	private final Selector selector;

	private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

	private final Thread thread;

	private volatile boolean running = true;

	NioLoop(String name) throws IOException {
		this.selector = Selector.open();
		this.thread = new Thread(this, name);
		this.thread.setDaemon(true);
		this.thread.start();
	}

	Selector selector() {
		return this.selector;
	}

	void execute(Runnable task) {
		this.tasks.add(task);
		if (Thread.currentThread() != this.thread) {
			this.selector.wakeup();
		}
	}

	@Override
	public void run() {
		while (this.running) {
			try {
				this.selector.select(100);
				Runnable task;
				while ((task = this.tasks.poll()) != null) {
					task.run();
				}
				Iterator<SelectionKey> keys = this.selector.selectedKeys().iterator();
				while (keys.hasNext()) {
					SelectionKey key = keys.next();
					keys.remove();
					if (key.isValid() && key.attachment() instanceof NioTransport transport) {
						transport.onSelected(key);
					}
				}
			}
			catch (IOException | RuntimeException ex) {
				if (this.running) {
					System.err.println("NIO loop error: " + ex);
				}
			}
		}
	}

	@Override
	public void close() {
		this.running = false;
		this.selector.wakeup();
		try {
			this.thread.join(2000);
			for (SelectionKey key : this.selector.keys()) {
				key.channel().close();
			}
			this.selector.close();
		}
		catch (IOException ex) {
			// Closing anyway.
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
