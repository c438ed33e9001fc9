package dev.crossgate.agent.kit;

import dev.crossgate.agent.Agent;
import dev.crossgate.agent.AgentOptions;
import io.vertx.core.Vertx;
import java.nio.file.Path;

/** Real agents for tests, in front of a loopback gateway. */
public final class TestAgents {
  private TestAgents() {}

  /**
   * An agent on a free loopback port before the gateway on {@code gatewayPort}, with the test key
   * and webhook secret and its state in {@code dir}; started.
   */
  public static Agent start(Vertx vertx, int gatewayPort, Path dir) {
    return Futures.join(
        Agent.start(
            vertx,
            AgentOptions.defaults("http://127.0.0.1:" + gatewayPort, "key", dir, "whsec_c2VjcmV0")
                .withListen("127.0.0.1", 0)));
  }
}
