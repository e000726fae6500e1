/**
 * Redis implementations: the topic broker on Spring Data Redis' listener container.
 */
@NullMarked
package io.github.wshub.redis;

import org.jspecify.annotations.NullMarked;
