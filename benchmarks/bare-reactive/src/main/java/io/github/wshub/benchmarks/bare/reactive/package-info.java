/**
 * A bare broadcaster on Spring WebFlux and Reactor Netty: the floor the hub's reactive transport
 * is measured against.
 */
@NullMarked
package io.github.wshub.benchmarks.bare.reactive;

import org.jspecify.annotations.NullMarked;
