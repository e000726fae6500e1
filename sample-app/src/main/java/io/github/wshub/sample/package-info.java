/**
 * The wshub sample app: a chat across instances with a development login.
 */
@NullMarked
package io.github.wshub.sample;

import org.jspecify.annotations.NullMarked;
