/**
 * Actuator support for the hub: the {@code hub} endpoint and health indicator.
 */
@NullMarked
package io.github.wshub.actuate;

import org.jspecify.annotations.NullMarked;
