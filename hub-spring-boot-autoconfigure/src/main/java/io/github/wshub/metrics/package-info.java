/**
 * Micrometer metrics for the hub.
 */
@NullMarked
package io.github.wshub.metrics;

import org.jspecify.annotations.NullMarked;
