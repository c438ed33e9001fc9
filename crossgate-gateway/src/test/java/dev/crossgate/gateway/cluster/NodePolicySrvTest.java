package dev.crossgate.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.upstream.UpstreamPoolBalancingTest;
import dev.crossgate.upstream.Upstream;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A dns+srv target expands to plain-http targets: a node allows it only where http is allowed. */
class NodePolicySrvTest {
  private static final Upstream SRV_POOL =
      UpstreamPoolBalancingTest.pool(
          Upstream.Algorithm.ROUND_ROBIN,
          null,
          new Upstream.Target("dns+srv://_http._tcp.orders.default.svc.cluster.local", 1));

  @Test
  void anHttpsOnlyNodeRefusesADnsSrvPoolAndAnHttpNodeTakesIt() {
    var refused =
        NodePolicy.allowedUpstreamSchemes(Set.of("https")).checkUpstreams(List.of(SRV_POOL));
    var accepted =
        NodePolicy.allowedUpstreamSchemes(Set.of("http")).checkUpstreams(List.of(SRV_POOL));

    assertThat(refused).singleElement().satisfies(e -> assertThat(e.reason()).contains("'http'"));
    assertThat(accepted).isEmpty();
  }
}
