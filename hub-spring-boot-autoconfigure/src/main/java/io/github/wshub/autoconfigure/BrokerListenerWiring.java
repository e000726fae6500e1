package io.github.wshub.autoconfigure;

import io.github.wshub.broker.TopicBroker;
import io.github.wshub.session.LocalTopicRegistry;
import io.github.wshub.session.TargetedDelivery;

import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * The one wiring step between beans an application may replace: once every singleton exists,
 * the broker is given the {@link LocalTopicRegistry} as the listener of topic messages and the
 * {@link TargetedDelivery} as the listener of control messages, whichever beans those are. The
 * broker starts (as a lifecycle bean) only after this.
 *
 * @author wshub
 */
final class BrokerListenerWiring implements SmartInitializingSingleton {

	private final TopicBroker broker;

	private final LocalTopicRegistry topicRegistry;

	private final TargetedDelivery targetedDelivery;

	BrokerListenerWiring(TopicBroker broker, LocalTopicRegistry topicRegistry, TargetedDelivery targetedDelivery) {
		this.broker = broker;
		this.topicRegistry = topicRegistry;
		this.targetedDelivery = targetedDelivery;
	}

	@Override
	public void afterSingletonsInstantiated() {
		this.broker.setMessageListener(this.topicRegistry);
		this.broker.setControlMessageListener(this.targetedDelivery);
	}

}
