/**
 * The hub on Jetty, as a server under test for the benchmarks.
 */
@NullMarked
package io.github.wshub.benchmarks.jetty;

import org.jspecify.annotations.NullMarked;
