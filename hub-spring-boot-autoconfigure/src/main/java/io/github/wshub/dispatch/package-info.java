/**
 * The threads that deliver: fixed lanes that keep a topic's fan-out in broker order and a
 * session's replies in request order.
 */
@NullMarked
package io.github.wshub.dispatch;

import org.jspecify.annotations.NullMarked;
