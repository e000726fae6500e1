package io.github.wshub.sample;

/**
 * {@link DevelopmentRedisShutdownIntegrationTests} on Spring WebFlux: the sample as a process on
 * Reactor Netty (this module's classpath), started with the same arguments, drains its
 * sessions before its development Redis stops.
 *
 * @author wshub
 */
class ReactiveDevelopmentRedisShutdownIntegrationTests extends DevelopmentRedisShutdownIntegrationTests {

}
