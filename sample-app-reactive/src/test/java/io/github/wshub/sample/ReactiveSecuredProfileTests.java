package io.github.wshub.sample;

/**
 * {@link SecuredProfileTests} on Spring WebFlux: the {@code secured} profile refuses anonymous
 * handshakes on Reactor Netty too.
 *
 * @author wshub
 */
class ReactiveSecuredProfileTests extends SecuredProfileTests {

}
