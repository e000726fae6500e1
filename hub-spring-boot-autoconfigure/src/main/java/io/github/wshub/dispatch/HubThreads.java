package io.github.wshub.dispatch;

import java.util.concurrent.ThreadFactory;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The one way the hub makes its threads: daemon threads named {@code <prefix><n>}, so that
 * thread dumps show each thread's job (see docs/design.md "Threads") and no hub thread ever
 * keeps a JVM alive.
 *
 * @author wshub
 */
public final class HubThreads {

	private HubThreads() {
	}

	/**
	 * Return a factory of daemon threads named {@code prefix} followed by a number.
	 * @param prefix the name prefix, for example {@code hub-dispatch-}
	 * @return the factory
	 */
	public static ThreadFactory daemon(String prefix) {
		CustomizableThreadFactory factory = new CustomizableThreadFactory(prefix);
		factory.setDaemon(true);
		return factory;
	}

	/**
	 * Return a new, unstarted daemon thread with exactly this name.
	 * @param name the thread's name
	 * @param task what it runs
	 * @return the thread
	 */
	public static Thread daemonThread(String name, Runnable task) {
		Thread thread = new Thread(task, name);
		thread.setDaemon(true);
		return thread;
	}

}
