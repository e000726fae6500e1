package io.github.wshub.sample;

/**
 * {@link ChatApiIntegrationTests} on Spring WebFlux: login, direct messages, problem details
 * and CORS answered the same way by Reactor Netty.
 *
 * @author wshub
 */
class ReactiveChatApiIntegrationTests extends ChatApiIntegrationTests {

}
