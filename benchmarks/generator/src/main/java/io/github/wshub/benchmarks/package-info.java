/**
 * Load generator for the hub: real WebSocket clients speaking protocol v1, the scenarios of
 * {@code benchmarks/README.md}, and the accounting of what they measure.
 */
@NullMarked
package io.github.wshub.benchmarks;

import org.jspecify.annotations.NullMarked;
