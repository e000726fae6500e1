/**
 * Events the hub reports for metrics: the {@link io.github.wshub.instrumentation.HubInstrumentation}
 * SPI, implemented with Micrometer in {@code io.github.wshub.metrics}.
 */
@NullMarked
package io.github.wshub.instrumentation;

import org.jspecify.annotations.NullMarked;
