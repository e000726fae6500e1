/**
 * Protocol v1: client and server frames, error codes and close codes.
 */
@NullMarked
package io.github.wshub.protocol;

import org.jspecify.annotations.NullMarked;
