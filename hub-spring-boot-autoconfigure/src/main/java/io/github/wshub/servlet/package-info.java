/**
 * The servlet transport: the hub over Spring's servlet WebSocket support.
 */
@NullMarked
package io.github.wshub.servlet;

import org.jspecify.annotations.NullMarked;
