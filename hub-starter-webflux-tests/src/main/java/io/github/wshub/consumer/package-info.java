/**
 * An application built from {@code hub-spring-boot-starter-webflux} alone, as a user's would be.
 */
@NullMarked
package io.github.wshub.consumer;

import org.jspecify.annotations.NullMarked;
