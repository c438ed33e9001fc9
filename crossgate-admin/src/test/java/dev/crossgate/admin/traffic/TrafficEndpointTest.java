package dev.crossgate.admin.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.admin.AdminKit;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TrafficEndpointTest {
  @Test
  void theBusiestRoutesComeWithRequestsPerSecondErrorRatioAndP99PerSample() throws Exception {
    try (var kit = AdminKit.start("h2")) {
      var meters = new GatewayMeters();
      kit.controlPlane().localNode(dev.crossgate.admin.LocalNodeView.ofMeters(meters.registry()));
      var sampler = kit.controlPlane().traffic();
      sampler.sample();
      meters.record("rt_shop", "shop", 200, Duration.ofMillis(7), 90);
      meters.record("rt_shop", "shop", 502, Duration.ofMillis(40), 10);
      meters.record("rt_quiet", "quiet", 200, Duration.ofMillis(2), 1);
      sampler.sample();

      var reply = kit.get("/admin/traffic?minutes=5&routes=1");

      assertThat(reply.status()).isEqualTo(200);
      var body = reply.json();
      assertThat(body.path("source").asText()).isEqualTo("this-process");
      assertThat(body.path("nodes").asInt()).isEqualTo(1);
      assertThat(body.path("minutes").asInt()).isEqualTo(5);
      assertThat(body.path("samples")).hasSize(2);
      assertThat(body.path("routes")).hasSize(1);
      var shop = body.path("routes").get(0);
      assertThat(shop.path("route").asText()).isEqualTo("rt_shop");
      assertThat(shop.path("service").asText()).isEqualTo("shop");
      assertThat(shop.path("requests").asLong()).isEqualTo(100);
      assertThat(shop.path("serverErrors").asLong()).isEqualTo(10);
      assertThat(shop.path("requestsPerSecond").get(0).asDouble()).isZero();
      assertThat(shop.path("p99Seconds").get(0).isNull()).isTrue();
      assertThat(shop.path("requestsPerSecond").get(1).asDouble()).isPositive();
      assertThat(shop.path("errorRatio").get(1).asDouble()).isEqualTo(0.1);
      assertThat(shop.path("p99Seconds").get(1).asDouble()).isGreaterThan(0.025).isLessThan(0.05);
    }
  }

  @Test
  void aControlPlaneOfAClusterWithoutNodesSaysNoneIsConnectedAndHasNoRoutes() throws Exception {
    try (var kit = AdminKit.start("h2")) {
      kit.controlPlane().traffic().sample();

      var reply = kit.get("/admin/traffic");

      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.json().path("source").asText()).isEqualTo("cluster");
      assertThat(reply.json().path("nodes").asInt()).isZero();
      assertThat(reply.json().path("detail").asText()).contains("no node is connected");
      assertThat(reply.json().path("minutes").asInt()).isEqualTo(10);
      assertThat(reply.json().path("routes")).isEmpty();
    }
  }

  @Test
  void aNodeThatIsNotConnectedAndSentNothingIsAProblem() throws Exception {
    try (var kit = AdminKit.start("h2")) {
      kit.controlPlane().traffic().sample();

      var reply = kit.get("/admin/traffic?node=ghost");

      assertThat(reply.status()).isEqualTo(404);
      assertThat(reply.header("content-type")).startsWith("application/problem+json");
    }
  }

  @Test
  void minutesAndRoutesOutsideTheirBoundsAreProblemsNamingTheParameter() throws Exception {
    try (var kit = AdminKit.start("h2")) {
      for (var query :
          new String[] {
            "minutes=0", "minutes=16", "minutes=abc", "minutes=99999999999", "routes=0", "routes=51"
          }) {
        var reply = kit.get("/admin/traffic?" + query);

        assertThat(reply.status()).as(query).isEqualTo(400);
        assertThat(reply.header("content-type")).startsWith("application/problem+json");
        assertThat(reply.errorFields()).as(query).containsExactly(query.split("=")[0]);
      }
    }
  }

  @Test
  void noTokenAndATenantKeyAreRefusedAndSeeNoTraffic() throws Exception {
    try (var kit = AdminKit.start("h2")) {
      var meters = new GatewayMeters();
      kit.controlPlane().localNode(dev.crossgate.admin.LocalNodeView.ofMeters(meters.registry()));
      kit.controlPlane().traffic().sample();
      meters.record("rt_secret", "payroll", 200, Duration.ofMillis(1), 5);
      kit.controlPlane().traffic().sample();
      var key = kit.tenantWithKey("acme");

      var anonymous =
          kit.send(java.net.http.HttpRequest.newBuilder(kit.uri("/admin/traffic")).GET());
      var tenant = kit.asTenant("GET", "/admin/traffic", key, null, null);

      assertThat(anonymous.status()).isEqualTo(401);
      assertThat(tenant.status()).isIn(401, 403);
      assertThat(anonymous.body() + tenant.body()).doesNotContain("rt_secret", "payroll");
    }
  }
}
