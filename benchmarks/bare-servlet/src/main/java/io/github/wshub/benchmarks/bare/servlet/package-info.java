/**
 * A bare broadcaster on Spring WebSocket and Tomcat: the floor the hub's servlet transport is
 * measured against.
 */
@NullMarked
package io.github.wshub.benchmarks.bare.servlet;

import org.jspecify.annotations.NullMarked;
