package dev.crossgate.gateway.upstream;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.kit.PoolTargets;
import dev.crossgate.upstream.Upstream;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Balancing across three (then four) real upstream servers on loopback, through the gateway. */
public class UpstreamPoolBalancingTest {

  /** Pool "orders" over {@code targets}, without active checks, default ejection and retries. */
  public static Upstream pool(
      Upstream.Algorithm algorithm, String hashOn, Upstream.Target... targets) {
    return new Upstream(
        "orders",
        List.of(targets),
        algorithm,
        hashOn,
        null,
        null,
        null,
        "test",
        Instant.EPOCH,
        Instant.EPOCH,
        1);
  }

  private static String body(GatewayKit.Reply reply) {
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).isNotEmpty();
    return reply.body();
  }

  @Test
  void weightedRoundRobinSpreadsRequestsByWeightWithinFivePercent() {
    try (var kit = GatewayKit.start(GatewayOptions.defaults().withEventLoops(2));
        var targets = new PoolTargets(kit.vertx, 3)) {
      kit.upstreams(pool(Upstream.Algorithm.ROUND_ROBIN, null, targets.weighted(50, 30, 20)))
          .routes(route("rt_orders", "/orders", null).upstream("orders", "/api").build());

      var counts = new HashMap<String, Integer>();
      for (int i = 0; i < 3_000; i++) {
        counts.merge(body(kit.get("/orders/items")), 1, Integer::sum);
      }

      assertThat(counts.get("t0")).isBetween(1_425, 1_575);
      assertThat(counts.get("t1")).isBetween(855, 945);
      assertThat(counts.get("t2")).isBetween(570, 630);
    }
  }

  @Test
  void theRoutesTargetPathAndTheRemainderReachTheChosenTarget() {
    try (var kit = GatewayKit.start();
        var targets = new PoolTargets(kit.vertx, 1)) {
      var seen = new ConcurrentLinkedQueue<String>();
      targets.get(0).respondWith(r -> r.response().end(r.uri()));
      kit.upstreams(pool(Upstream.Algorithm.ROUND_ROBIN, null, targets.weighted()))
          .routes(route("rt_orders", "/orders", null).upstream("orders", "/api/v2").build());

      seen.add(body(kit.get("/orders/items/7?x=1")));

      assertThat(seen).containsExactly("/api/v2/items/7?x=1");
    }
  }

  @Test
  void leastConnectionsSendsNewRequestsAwayFromATargetHoldingSlowOnes() {
    try (var kit = GatewayKit.start();
        var targets = new PoolTargets(kit.vertx, 3)) {
      var held = new ConcurrentLinkedQueue<HttpServerRequest>();
      targets.get(0).respondWith(held::add);
      // the heavier target wins ties at zero load: the first request lands on it and stays there
      kit.upstreams(
              pool(Upstream.Algorithm.LEAST_CONNECTIONS, null, targets.weighted(200, 100, 100)))
          .routes(route("rt_orders", "/orders", null).upstream("orders", null).build());
      var slow =
          kit.client()
              .request(new RequestOptions().setMethod(HttpMethod.GET).setURI("/orders/slow"))
              .compose(req -> req.send().compose(r -> r.body().map(b -> b.toString())));
      Awaitility.await().until(() -> held.size() == 1);

      var counts = new HashMap<String, Integer>();
      for (int i = 0; i < 300; i++) {
        counts.merge(body(kit.get("/orders/fast")), 1, Integer::sum);
      }
      held.poll().response().end("t0-late");

      assertThat(counts).doesNotContainKey("t0");
      assertThat(counts.get("t1") + counts.get("t2")).isEqualTo(300);
      assertThat(GatewayKit.await(slow)).isEqualTo("t0-late");
      assertThat(targets.get(0).received()).isEqualTo(1);
    }
  }

  @Test
  void consistentHashKeepsMostKeysOnTheirTargetWhenAFourthTargetJoins() {
    try (var kit = GatewayKit.start(GatewayOptions.defaults().withEventLoops(2));
        var targets = new PoolTargets(kit.vertx, 4)) {
      var three = List.of(targets.weighted()).subList(0, 3).toArray(Upstream.Target[]::new);
      kit.upstreams(pool(Upstream.Algorithm.CONSISTENT_HASH, "header:X-Tenant", three))
          .routes(route("rt_orders", "/orders", null).upstream("orders", null).build());
      var before = new HashMap<String, String>();
      for (int k = 0; k < 1_000; k++) {
        before.put("tenant-" + k, body(kit.get("/orders/x", "X-Tenant", "tenant-" + k)));
      }
      var again = body(kit.get("/orders/x", "X-Tenant", "tenant-7"));

      kit.upstreams(
          pool(Upstream.Algorithm.CONSISTENT_HASH, "header:X-Tenant", targets.weighted()));
      int stayed = 0;
      var movedTo = new HashMap<String, Integer>();
      for (var entry : before.entrySet()) {
        var now = body(kit.get("/orders/x", "X-Tenant", entry.getKey()));
        if (now.equals(entry.getValue())) {
          stayed++;
        } else {
          movedTo.merge(now, 1, Integer::sum);
        }
      }

      assertThat(again).isEqualTo(before.get("tenant-7"));
      assertThat(before.values()).contains("t0", "t1", "t2");
      assertThat(stayed).isGreaterThanOrEqualTo(600);
      // keys only move to the newcomer, never between the old targets
      assertThat(movedTo).containsOnlyKeys("t3");
    }
  }
}
