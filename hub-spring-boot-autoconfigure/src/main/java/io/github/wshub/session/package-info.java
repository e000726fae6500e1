/**
 * Local sessions: the WebSocket handler, per-session state and the local topic registry.
 */
@NullMarked
package io.github.wshub.session;

import org.jspecify.annotations.NullMarked;
