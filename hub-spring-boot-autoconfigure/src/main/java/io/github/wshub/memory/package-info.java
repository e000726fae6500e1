/**
 * In-memory broker for a single instance and for tests.
 */
@NullMarked
package io.github.wshub.memory;

import org.jspecify.annotations.NullMarked;
