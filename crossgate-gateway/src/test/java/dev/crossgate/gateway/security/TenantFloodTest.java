package dev.crossgate.gateway.security;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.GatewayServices;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.task.TaskOptions;
import dev.crossgate.store.TestDatabases;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One tenant flooding a node: its requests in flight are bounded (429 with Retry-After naming the
 * bound) while another tenant is served, and bodies the node must hold whole draw on one node-wide
 * budget (503 with Retry-After above it) while streamed proxy traffic is unaffected.
 */
class TenantFloodTest {
  @TempDir Path dataDir;

  @Test
  void aTenantAtItsInFlightBoundGets429WhileAnotherTenantIsServed() {
    var limits =
        GatewayOptions.Limits.DEFAULT.withTenantBounds(
            2, GatewayOptions.Limits.DEFAULT_BUFFER_BUDGET);
    try (var kit =
        GatewayKit.start(GatewayOptions.defaults().withEventLoops(1).withLimits(limits))) {
      kit.routes(route("slow", "/slow", kit.target("/slow")).build());
      List<HttpServerRequest> parked = new ArrayList<>();
      var twoParked = Promise.<Void>promise();
      kit.upstream.respondWith(
          req -> {
            if (req.path().equals("/slow") && req.getHeader("X-Park") != null) {
              parked.add(req);
              if (parked.size() == 2) {
                twoParked.complete();
              }
            } else {
              req.response().end("ok");
            }
          });
      var flooder = kit.apiKey("acme");
      var other = kit.apiKey("globex");
      for (int i = 0; i < 2; i++) {
        kit.client()
            .request(
                new RequestOptions()
                    .setMethod(HttpMethod.GET)
                    .setURI("/slow")
                    .addHeader("X-Api-Key", flooder)
                    .addHeader("X-Park", "1"))
            .compose(req -> req.send());
      }
      GatewayKit.await(twoParked.future());

      var third = kit.get("/slow", "X-Api-Key", flooder);
      var otherTenant = kit.get("/slow", "X-Api-Key", other);

      assertThat(third.status()).isEqualTo(429);
      assertThat(third.problemType()).isEqualTo("tenant-in-flight-limit");
      assertThat(third.json()).containsEntry("limit", 2);
      assertThat(third.header("Retry-After")).isEqualTo("1");
      assertThat(otherTenant.status()).isEqualTo(200);

      // the parked requests end: the tenant's count drops back and it is served again
      kit.vertx.runOnContext(v -> parked.forEach(req -> req.response().end("late")));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> kit.get("/slow", "X-Api-Key", flooder).status() == 200);
    }
  }

  @Test
  void inMemoryBodiesBeyondTheNodesBufferBudgetGet503WhileSpooledAndStreamedTrafficFlows() {
    var db = TestDatabases.open("h2");
    var limits = GatewayOptions.Limits.DEFAULT.withTenantBounds(0, 32 << 10);
    try (db;
        var kit =
            GatewayKit.start(
                GatewayOptions.defaults().withEventLoops(1).withLimits(limits),
                new GatewayServices(db.database(), TaskOptions.defaults(dataDir)))) {
      kit.routes(
          route("def", "/def", kit.target("/analyse")).async().build(),
          route("stream", "/stream", kit.target("/stream")).build());
      var key = kit.apiKey("acme");
      // bodies up to 64 KiB are kept in memory, larger ones are spooled to disk as they arrive
      var overBudget =
          kit.send(HttpMethod.POST, "/async/def", "x".repeat(60 << 10), "X-Api-Key", key);
      var small = kit.send(HttpMethod.POST, "/async/def", "{\"n\":1}", "X-Api-Key", key);
      var spooled = kit.send(HttpMethod.POST, "/async/def", "z".repeat(2 << 20), "X-Api-Key", key);
      var streamed = kit.send(HttpMethod.POST, "/stream", "y".repeat(4 << 20), "X-Api-Key", key);

      assertThat(overBudget.status()).isEqualTo(503);
      assertThat(overBudget.problemType()).isEqualTo("buffer-budget-exhausted");
      assertThat(overBudget.json()).containsEntry("budget", 32 << 10);
      assertThat(overBudget.header("Retry-After")).isEqualTo("1");
      assertThat(small.status()).isEqualTo(202);
      assertThat(spooled.status()).as("a large body draws nothing from the budget").isEqualTo(202);
      assertThat(streamed.status()).isEqualTo(200);
      var atUpstream = List.of(kit.upstream.next(), kit.upstream.next(), kit.upstream.next());
      assertThat(atUpstream)
          .extracting(r -> r.uri())
          .containsExactly("/analyse", "/analyse", "/stream");
      assertThat(atUpstream.get(1).bodyBytes()).isEqualTo(2 << 20);
      assertThat(atUpstream.get(2).bodyBytes()).isEqualTo(4 << 20);
    }
  }
}
