/**
 * The hub's core, whatever transport carries the sessions: the directory of local sessions,
 * the protocol handler, per-session state, the local topic registry and fan-out, targeted
 * delivery and the drain.
 */
@NullMarked
package io.github.wshub.session;

import org.jspecify.annotations.NullMarked;
