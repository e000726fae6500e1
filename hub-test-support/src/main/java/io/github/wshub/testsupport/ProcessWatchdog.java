package io.github.wshub.testsupport;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Kills a child process once this JVM is gone, however it went: normal exit, a signal, SIGKILL
 * or a crash. The watchdog is a {@code sh} blocked reading its standard input, a pipe whose
 * write end only this JVM holds (the JDK closes every other descriptor in the processes it
 * starts). The kernel closes that pipe when the JVM process ends, and the end of input makes the
 * shell send SIGKILL to the child.
 * <p>
 * Nothing runs inside the JVM, in particular no shutdown hook: JVM shutdown hooks run
 * concurrently, so a hook that kills the child races an owner that stops it gracefully in a hook
 * of its own (Spring's, closing the application context). The watchdog acts only once all of them
 * have finished and the JVM has exited.
 * <p>
 * The shell ignores SIGHUP, SIGINT, SIGQUIT and SIGTERM: a Ctrl+C or Ctrl+\ in a terminal reaches
 * every process of the foreground process group, the watchdog included, and the JVM does not
 * necessarily die of it (SIGQUIT prints a thread dump; SIGINT runs the shutdown hooks first). The
 * shell's life is bounded by the JVM's anyway.
 *
 * @author wshub
 */
final class ProcessWatchdog {

	private static final String SCRIPT = "trap '' HUP INT QUIT TERM; read -r line || kill -KILL \"$1\"";

	private final Process shell;

	private boolean stoodDown;

	private ProcessWatchdog(Process shell) {
		this.shell = shell;
	}

	/**
	 * Start watching a child process.
	 * @param child the process to kill when this JVM dies
	 * @return the watchdog
	 */
	static ProcessWatchdog watch(Process child) {
		ProcessBuilder builder = new ProcessBuilder("sh", "-c", SCRIPT, "wshub-process-watchdog",
				Long.toString(child.pid()))
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.redirectError(ProcessBuilder.Redirect.DISCARD);
		try {
			return new ProcessWatchdog(builder.start());
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not start a watchdog (sh) for process " + child.pid(), ex);
		}
	}

	/**
	 * Tell the watchdog that the child ended under this JVM's control: the shell exits without
	 * killing anything, so a later JVM exit never signals a pid the system may have reused.
	 * Does nothing when called again.
	 */
	synchronized void standDown() {
		if (this.stoodDown) {
			return;
		}
		this.stoodDown = true;
		try (OutputStream out = this.shell.getOutputStream()) {
			// A whole line, written before the pipe closes: 'read' succeeds, so no kill.
			out.write('\n');
		}
		catch (IOException ex) {
			// The shell is gone already: nobody left to tell.
		}
	}

}
