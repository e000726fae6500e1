/**
 * Auto-configuration and configuration properties for wshub.
 */
@NullMarked
package io.github.wshub.autoconfigure;

import org.jspecify.annotations.NullMarked;
