package dev.crossgate.gateway.limit;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.ratelimit.RateLimit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RateLimitStepTest {
  private final GatewayKit kit = GatewayKit.start();

  @AfterEach
  void close() {
    kit.close();
  }

  @Test
  void aTenantOverItsRouteLimitGetsA429ProblemWithRetryAfterAndOtherTenantsAreServed() {
    kit.routes(
        route("rt_limited", "/", kit.target(""))
            .keyAuth()
            .rateLimits(new RateLimit.Spec("TENANT", 2L, "1m", null))
            .build());
    var acme = kit.apiKey("acme");
    var globex = kit.apiKey("globex");

    var first = kit.get("/x", "X-Api-Key", acme);
    var second = kit.get("/x", "X-Api-Key", acme);
    var third = kit.get("/x", "X-Api-Key", acme);
    var otherTenant = kit.get("/x", "X-Api-Key", globex);

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.header("RateLimit-Policy")).isEqualTo("2;w=60");
    assertThat(first.header("RateLimit")).isEqualTo("limit=2, remaining=1, reset=30");
    assertThat(second.header("RateLimit")).isEqualTo("limit=2, remaining=0, reset=60");
    assertThat(third.status()).isEqualTo(429);
    assertThat(third.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(third.problemType()).isEqualTo("too-many-requests");
    assertThat(third.header("Retry-After")).isEqualTo("30");
    assertThat(third.header("RateLimit")).isEqualTo("limit=2, remaining=0, reset=60");
    assertThat(third.json()).containsEntry("scope", "TENANT").containsEntry("window", "1m");
    assertThat(otherTenant.status()).isEqualTo(200);
  }

  @Test
  void aRouteScopedLimitCountsEveryCallerTogether() {
    kit.routes(
        route("rt_shared", "/", kit.target(""))
            .rateLimits(new RateLimit.Spec("ROUTE", 1L, "1h", null))
            .build());

    var first = kit.get("/x", "X-Forwarded-For", "203.0.113.1");
    var second = kit.get("/x", "X-Forwarded-For", "203.0.113.2");

    assertThat(first.status()).isEqualTo(200);
    assertThat(second.status()).isEqualTo(429);
  }

  @Test
  void aTenantsOwnLimitSpansEveryRouteItCalls() {
    kit.routes(
        route("rt_a", "/a", kit.target("")).keyAuth().build(),
        route("rt_b", "/b", kit.target("")).keyAuth().build());
    var acme = kit.apiKey("acme");
    var globex = kit.apiKey("globex");
    kit.tenantRateLimits(
        "acme", new RateLimit(RateLimit.Scope.TENANT, 2, RateLimit.Window.HOUR, 2));

    var a = kit.get("/a/x", "X-Api-Key", acme);
    var b = kit.get("/b/x", "X-Api-Key", acme);
    var refused = kit.get("/a/x", "X-Api-Key", acme);
    var otherTenant = kit.get("/a/x", "X-Api-Key", globex);

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.header("RateLimit-Policy")).isEqualTo("2;w=3600");
    assertThat(b.status()).isEqualTo(200);
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.json()).containsEntry("scope", "TENANT").containsEntry("window", "1h");
    assertThat(otherTenant.status()).isEqualTo(200);
    assertThat(otherTenant.header("RateLimit-Policy")).isNull();
  }

  @Test
  void aCallerLimitCountsEachKeyApartAndAnonymousCallersByTheirAddress() {
    kit.routes(
        route("rt_callers", "/", kit.target(""))
            .rateLimits(new RateLimit.Spec("CALLER", 1L, "1h", null))
            .build());
    var first = kit.apiKey("acme");
    var second = kit.apiKey("acme");

    var firstKey = kit.get("/x", "X-Api-Key", first);
    var firstKeyAgain = kit.get("/x", "X-Api-Key", first);
    var secondKey = kit.get("/x", "X-Api-Key", second);
    var anonymous = kit.get("/x");
    var anonymousAgain = kit.get("/x");

    assertThat(firstKey.status()).isEqualTo(200);
    assertThat(firstKeyAgain.status()).isEqualTo(429);
    assertThat(secondKey.status()).as("another key of the same tenant").isEqualTo(200);
    assertThat(anonymous.status()).isEqualTo(200);
    assertThat(anonymousAgain.status()).isEqualTo(429);
  }

  @Test
  void routesWithoutLimitsCarryNoRateLimitFields() {
    kit.routes(route("rt_free", "/", kit.target("")).build());

    var reply = kit.get("/x");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("RateLimit-Policy")).isNull();
  }
}
