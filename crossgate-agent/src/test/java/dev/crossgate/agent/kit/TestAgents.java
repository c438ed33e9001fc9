package dev.crossgate.agent.kit;

import dev.crossgate.agent.Agent;
import dev.crossgate.agent.AgentOptions;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;

/** Real agents for tests, in front of a loopback gateway. */
public final class TestAgents {
  private TestAgents() {}

  /**
   * An agent on a free loopback port before the gateway on {@code gatewayPort}, with the test key
   * and webhook secret and its state in {@code dir}; started.
   */
  public static Agent start(Vertx vertx, int gatewayPort, Path dir) {
    return Futures.join(Agent.start(vertx, options(gatewayPort, dir)));
  }

  /** The same, waiting at most {@code gatewayTimeout} on a silent gateway. */
  public static Agent start(Vertx vertx, int gatewayPort, Path dir, Duration gatewayTimeout) {
    return Futures.join(
        Agent.start(vertx, options(gatewayPort, dir).withGatewayTimeout(gatewayTimeout)));
  }

  private static AgentOptions options(int gatewayPort, Path dir) {
    return AgentOptions.defaults("http://127.0.0.1:" + gatewayPort, "key", dir, "whsec_c2VjcmV0")
        .withListen("127.0.0.1", 0);
  }
}
