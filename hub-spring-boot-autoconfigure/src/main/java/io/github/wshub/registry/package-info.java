/**
 * Which user and session is connected to which instance: the connection registry SPI and user
 * resolution.
 */
@NullMarked
package io.github.wshub.registry;

import org.jspecify.annotations.NullMarked;
