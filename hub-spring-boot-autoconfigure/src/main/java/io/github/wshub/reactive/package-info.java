/**
 * The reactive transport: the hub over Spring WebFlux's WebSocket support on Reactor Netty.
 */
@NullMarked
package io.github.wshub.reactive;

import org.jspecify.annotations.NullMarked;
