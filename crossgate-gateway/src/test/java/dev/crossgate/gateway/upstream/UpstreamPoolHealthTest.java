package dev.crossgate.gateway.upstream;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.kit.PoolTargets;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.upstream.PoolHealth;
import dev.crossgate.upstream.Upstream;
import io.vertx.core.http.HttpMethod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Health and retries over real loopback servers: active checks, passive ejection, panic mode, and
 * which failed attempts may be sent again.
 */
class UpstreamPoolHealthTest {
  private static final Upstream.HealthCheck CHECKS =
      new Upstream.HealthCheck("/health", 200, 150, 1, 1, List.of(200, 399));
  private static final Upstream.Retries RETRIES =
      new Upstream.Retries(2, List.of("connect-failure", "refused", "reset"), 0, 100);

  private static Upstream pool(
      Upstream.HealthCheck checks, Upstream.Passive passive, Upstream.Target... targets) {
    return new Upstream(
        "orders",
        List.of(targets),
        Upstream.Algorithm.ROUND_ROBIN,
        null,
        checks,
        passive,
        RETRIES,
        "test",
        Instant.EPOCH,
        Instant.EPOCH,
        1);
  }

  private static PoolHealth.TargetHealth health(GatewayKit kit, int index) {
    return kit.gateway().upstreamPools().health("orders").orElseThrow().targets().get(index);
  }

  @Test
  void aKilledTargetFailsNoGetAndTakesTrafficAgainOnceRestarted() {
    try (var kit = GatewayKit.start();
        var targets = new PoolTargets(kit.vertx, 3)) {
      kit.upstreams(pool(CHECKS, new Upstream.Passive(3, 500, 50), targets.weighted()))
          .routes(route("rt_orders", "/orders", null).upstream("orders", null).build());
      for (int i = 0; i < 30; i++) {
        assertThat(kit.get("/orders/warm").status()).isEqualTo(200);
      }

      targets.kill(1);
      var statuses = new ArrayList<Integer>();
      for (int i = 0; i < 300; i++) {
        statuses.add(kit.get("/orders/during").status());
      }
      Awaitility.await().until(() -> !health(kit, 1).healthy());
      int killedSaw = targets.get(1).received();

      assertThat(statuses).containsOnly(200);
      assertThat(health(kit, 1).lastCheck()).isEqualTo("refused");
      assertThat(health(kit, 0).healthy()).isTrue();

      targets.restart(1);
      Awaitility.await().until(() -> health(kit, 1).healthy());
      Awaitility.await()
          .until(
              () -> {
                assertThat(kit.get("/orders/after").status()).isEqualTo(200);
                return targets.get(1).received() > killedSaw;
              });
    }
  }

  @Test
  void aPostIsNotRetriedOnceItsBodyWasSentButAGetIs() {
    try (var kit = GatewayKit.start();
        var targets = new PoolTargets(kit.vertx, 2)) {
      // both targets read a POST's body whole, then drop the connection without an answer
      for (int i = 0; i < 2; i++) {
        int index = i;
        targets
            .get(i)
            .respondWith(
                r -> {
                  if (r.method() == HttpMethod.POST || index == 0) {
                    r.body().onSuccess(b -> r.connection().close());
                  } else {
                    r.response().end("t" + index);
                  }
                });
      }
      kit.upstreams(pool(null, new Upstream.Passive(100, 1_000, 50), targets.weighted()))
          .routes(route("rt_orders", "/orders", null).upstream("orders", null).build());

      var post = kit.send(HttpMethod.POST, "/orders/pay", "{\"amount\":5}");
      int postAttempts = targets.get(0).received() + targets.get(1).received();
      var gets = new ArrayList<String>();
      for (int i = 0; i < 10; i++) {
        var get = kit.get("/orders/status");
        gets.add(get.status() + " " + get.body());
      }

      assertThat(post.status()).isEqualTo(502);
      assertThat(postAttempts).isEqualTo(1);
      // a GET that target 0 dropped was sent to target 1
      assertThat(gets).containsOnly("200 t1");
      assertThat(targets.get(0).received()).isPositive();
    }
  }

  @Test
  void aPostWhoseConnectionWasRefusedGoesToAnotherTarget() {
    try (var kit = GatewayKit.start();
        var targets = new PoolTargets(kit.vertx, 2)) {
      targets.get(1).respondWith(r -> r.body().onSuccess(b -> r.response().end("got " + b)));
      kit.upstreams(pool(null, null, targets.weighted()))
          .routes(route("rt_orders", "/orders", null).upstream("orders", null).build());
      targets.kill(0);

      var replies = new ArrayList<String>();
      for (int i = 0; i < 4; i++) {
        var reply = kit.send(HttpMethod.POST, "/orders/pay", "n" + i);
        replies.add(reply.status() + " " + reply.body());
      }

      assertThat(replies).containsExactly("200 got n0", "200 got n1", "200 got n2", "200 got n3");
    }
  }

  @Test
  void whenEveryTargetFailsItsChecksThePoolStillTriesAndSaysSo() {
    try (var kit = GatewayKit.start();
        var targets = new PoolTargets(kit.vertx, 2)) {
      targets.get(0).healthStatus(500);
      targets.get(1).healthStatus(503);
      kit.upstreams(pool(CHECKS, null, targets.weighted()))
          .routes(route("rt_orders", "/orders", null).upstream("orders", null).build());
      Awaitility.await()
          .until(() -> kit.gateway().upstreamPools().health("orders").orElseThrow().panic());

      var reply = kit.get("/orders/x");

      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.header(CrossgateHeaders.UPSTREAM_PANIC)).isEqualTo("true");
      assertThat(kit.gateway().metrics().scrape())
          .containsPattern("crossgate_upstream_panic_total\\{upstream=\"orders\"\\} [1-9]");
      assertThat(health(kit, 0).lastCheck()).isEqualTo("500");

      targets.get(0).healthStatus(200);
      Awaitility.await().until(() -> health(kit, 0).healthy());

      assertThat(kit.get("/orders/x").header(CrossgateHeaders.UPSTREAM_PANIC)).isNull();
    }
  }
}
