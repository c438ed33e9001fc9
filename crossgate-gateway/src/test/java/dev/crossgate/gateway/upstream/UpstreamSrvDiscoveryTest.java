package dev.crossgate.gateway.upstream;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.GatewayServer;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.kit.FakeDnsServer;
import dev.crossgate.gateway.kit.FakeDnsServer.Srv;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.kit.PoolTargets;
import dev.crossgate.upstream.Upstream;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A pool whose one target is {@code dns+srv://}: a real DNS server on loopback (UDP) answers SRV
 * records naming {@code pods.svc.test}, which it also answers A queries for; three real HTTP
 * servers on loopback are the pods. The gateway's resolver and DNS client ask that server.
 */
class UpstreamSrvDiscoveryTest {
  private static final String SERVICE = "_http._tcp.orders.svc.test";
  private static final String POD_HOST = "pods.svc.test";

  private static GatewayKit gateway(FakeDnsServer dns) {
    var options = GatewayOptions.defaults().withEventLoops(2);
    var vertxOptions = GatewayServer.vertxOptions(options);
    vertxOptions
        .getAddressResolverOptions()
        .setServers(List.of("127.0.0.1:" + dns.port()))
        .setSearchDomains(List.of())
        .setHostsValue(Buffer.buffer("127.0.0.1 localhost\n"))
        .setOptResourceEnabled(false)
        .setQueryTimeout(2_000);
    return GatewayKit.start(options, vertxOptions);
  }

  private static Upstream srvPool() {
    return UpstreamPoolBalancingTest.pool(
        Upstream.Algorithm.ROUND_ROBIN, null, new Upstream.Target("dns+srv://" + SERVICE, 100));
  }

  private static Map<String, Integer> spread(GatewayKit kit, int requests) {
    var counts = new HashMap<String, Integer>();
    for (int i = 0; i < requests; i++) {
      var reply = kit.get("/orders/items");
      assertThat(reply.status()).isEqualTo(200);
      counts.merge(reply.body(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void srvRecordsBecomeTheWeightedPoolAndANewRecordGetsTrafficWithinItsTtl() throws Exception {
    try (var dns = new FakeDnsServer(POD_HOST, "127.0.0.1");
        var kit = gateway(dns);
        var pods = new PoolTargets(kit.vertx, 3)) {
      // t2 is a backup at a higher priority number: not used while priority 10 has records
      var first =
          List.of(
              new Srv(10, 60, pods.get(0).port(), POD_HOST),
              new Srv(10, 20, pods.get(1).port(), POD_HOST),
              new Srv(20, 100, pods.get(2).port(), POD_HOST));
      dns.srv(SERVICE, first);
      kit.upstreams(srvPool())
          .routes(route("rt_orders", "/orders", null).upstream("orders", null).build());
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> kit.get("/orders/items").status() == 200);

      var before = spread(kit, 1_000);

      var added = new java.util.ArrayList<>(first);
      added.add(new Srv(10, 20, pods.get(2).port(), POD_HOST));
      dns.srv(SERVICE, added);
      // the records' TTL is 1 s: the newcomer is in the pool once it has been re-resolved
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> kit.get("/orders/items").body().equals("t2"));
      var after = spread(kit, 1_000);

      assertThat(before).containsOnlyKeys("t0", "t1");
      assertThat(before.get("t0")).isBetween(700, 800); // weight 60 of 80
      assertThat(after).containsOnlyKeys("t0", "t1", "t2");
      assertThat(after.get("t0")).isBetween(550, 650); // 60 of 100
      assertThat(after.get("t1")).isBetween(150, 250); // 20 of 100
      assertThat(after.get("t2")).isBetween(150, 250);
    }
  }

  @Test
  void whenTheRecordsStopAnsweringThePoolKeepsItsLastKnownTargets() throws Exception {
    try (var dns = new FakeDnsServer(POD_HOST, "127.0.0.1");
        var kit = gateway(dns);
        var pods = new PoolTargets(kit.vertx, 2)) {
      dns.srv(
          SERVICE,
          List.of(
              new Srv(0, 50, pods.get(0).port(), POD_HOST),
              new Srv(0, 50, pods.get(1).port(), POD_HOST)));
      kit.upstreams(srvPool())
          .routes(route("rt_orders", "/orders", null).upstream("orders", null).build());
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> kit.get("/orders/items").status() == 200);

      dns.srv(SERVICE, List.of());
      int asked = dns.srvQueries();
      Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> dns.srvQueries() >= asked + 2);

      assertThat(spread(kit, 200)).containsOnlyKeys("t0", "t1");
    }
  }

  @Test
  void aPoolWhoseSrvNameNeverAnsweredIsABadGatewayProblemNotAnError() throws Exception {
    try (var dns = new FakeDnsServer(POD_HOST, "127.0.0.1");
        var kit = gateway(dns)) {
      kit.upstreams(srvPool())
          .routes(route("rt_orders", "/orders", null).upstream("orders", null).build());

      var reply = kit.get("/orders/items");

      assertThat(reply.status()).isEqualTo(502);
      assertThat(reply.headers().get("content-type")).startsWith("application/problem+json");
      assertThat(reply.body()).contains("has no targets yet");
    }
  }
}
