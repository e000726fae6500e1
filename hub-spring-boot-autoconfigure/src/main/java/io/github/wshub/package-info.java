/**
 * wshub's public API: publishing from application code.
 */
@NullMarked
package io.github.wshub;

import org.jspecify.annotations.NullMarked;
