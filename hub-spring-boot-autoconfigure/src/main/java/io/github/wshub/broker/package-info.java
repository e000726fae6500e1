/**
 * The broker SPI that carries topic messages between instances, and ordered dispatch lanes.
 */
@NullMarked
package io.github.wshub.broker;

import org.jspecify.annotations.NullMarked;
