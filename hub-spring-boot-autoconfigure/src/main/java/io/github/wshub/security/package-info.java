/**
 * Who may subscribe to and publish on which topic.
 */
@NullMarked
package io.github.wshub.security;

import org.jspecify.annotations.NullMarked;
