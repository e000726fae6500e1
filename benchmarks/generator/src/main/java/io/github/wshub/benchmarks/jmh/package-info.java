/**
 * JMH micro-benchmarks of the hub's hot paths, through its public API only.
 */
@NullMarked
package io.github.wshub.benchmarks.jmh;

import org.jspecify.annotations.NullMarked;
