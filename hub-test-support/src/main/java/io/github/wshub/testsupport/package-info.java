/**
 * Real {@code redis-server} processes for tests, benchmarks and development.
 */
@NullMarked
package io.github.wshub.testsupport;

import org.jspecify.annotations.NullMarked;
