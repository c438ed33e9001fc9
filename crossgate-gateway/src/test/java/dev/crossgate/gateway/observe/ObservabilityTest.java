package dev.crossgate.gateway.observe;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.kit.GatewayKit;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ObservabilityTest {
  private final ListAppender<ILoggingEvent> access = new ListAppender<>();

  @BeforeEach
  void capture() {
    access.start();
    ((Logger) LoggerFactory.getLogger("crossgate.access")).addAppender(access);
  }

  @AfterEach
  void release() {
    ((Logger) LoggerFactory.getLogger("crossgate.access")).detachAppender(access);
  }

  @Test
  void everyRequestWritesOneKeyValueAccessLine() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("r1", "/a", kit.target("/up")).build());

      kit.get("/a/x?q=1", "X-Request-Id", "rid-7");
      kit.get("/missing", "X-Request-Id", "rid-8");

      Awaitility.await().until(() -> access.list.size() == 2);
      assertThat(access.list.get(0).getFormattedMessage())
          .contains(
              "method=GET",
              "path=/a/x",
              "status=200",
              "route=r1",
              "upstream=127.0.0.1:",
              "bytesOut=",
              "durationMs=",
              "requestId=rid-7");
      assertThat(access.list.get(1).getFormattedMessage())
          .contains("status=404", "route=-", "problem=not-found", "requestId=rid-8");
    }
  }

  @Test
  void theAccessLineCanBeJson() {
    try (var kit =
        GatewayKit.start(GatewayOptions.defaults().withEventLoops(1).withAccessLogJson(true))) {
      kit.routes(route("r1", "/a", kit.target("/up")).build());

      kit.get("/a");

      Awaitility.await().until(() -> access.list.size() == 1);
      assertThat(access.list.get(0).getFormattedMessage())
          .startsWith("{\"method\":\"GET\"")
          .contains("\"route\":\"r1\"");
    }
  }

  @Test
  void metricsCountRequestsStatusesLatencyAndUpstreamErrorsPerRoute() {
    int closedPort = GatewayKit.closedPort();
    try (var kit = GatewayKit.start()) {
      kit.routes(
          route("ok", "/ok", kit.target("/up")).version("v2", true).build(),
          route("down", "/down", "http://127.0.0.1:" + closedPort).build());

      kit.get("/ok");
      kit.get("/ok");
      kit.get("/down");

      Awaitility.await()
          .untilAsserted(
              () ->
                  assertThat(kit.gateway().metrics().scrape())
                      .contains(
                          "crossgate_requests_total{method=\"GET\",route=\"ok\",service=\"svc\",status=\"2xx\",version=\"v2\"} 2.0")
                      .contains(
                          "crossgate_requests_total{method=\"GET\",route=\"down\",service=\"svc\",status=\"5xx\",version=\"-\"} 1.0")
                      .contains(
                          "crossgate_upstream_errors_total{kind=\"bad-gateway\",route=\"down\",service=\"svc\",upstream=\"-\",version=\"-\"} 1.0")
                      .contains(
                          "crossgate_request_duration_seconds_bucket{route=\"ok\",service=\"svc\",version=\"v2\"")
                      .contains("crossgate_active_connections"));
    }
  }

  @Test
  void upstreamLatencyIsItsOwnHistogramAndOnlyRequestsAnUpstreamAnsweredCountInIt() {
    int closedPort = GatewayKit.closedPort();
    try (var kit = GatewayKit.start()) {
      kit.routes(
          route("ok", "/ok", kit.target("/up")).build(),
          route("down", "/down", "http://127.0.0.1:" + closedPort).build());

      kit.get("/ok");
      kit.get("/down");
      kit.get("/nowhere");

      Awaitility.await()
          .untilAsserted(
              () ->
                  assertThat(kit.gateway().metrics().scrape())
                      .contains(
                          "crossgate_upstream_duration_seconds_count{route=\"ok\",service=\"svc\",upstream=\"-\",version=\"-\"} 1")
                      .doesNotContain("crossgate_upstream_duration_seconds_count{route=\"down\"")
                      .doesNotContain("crossgate_upstream_duration_seconds_count{route=\"-\"")
                      .contains(
                          "crossgate_request_duration_seconds_count{route=\"-\",service=\"-\",version=\"-\"} 1"));
    }
  }

  @Test
  void refusalsByAFilterRuleAndARateLimitAreCountedByProblemTypeAndTheLimitsSayTheyCountAlone() {
    try (var kit = GatewayKit.start()) {
      kit.filters(
          GatewayKit.filter(
              "no-scanners",
              dev.crossgate.filter.FilterRule.Kind.USER_AGENT,
              "sqlmap",
              null,
              403,
              "no"));
      kit.routes(
          route("limited", "/limited", kit.target("/up"))
              .rateLimits(new dev.crossgate.ratelimit.RateLimit.Spec("CLIENT_IP", 1L, "1h", 1L))
              .build());

      var first = kit.get("/limited").status();
      var second = kit.get("/limited").status();
      var scanner = kit.get("/limited", "User-Agent", "sqlmap").status();
      kit.get("/nowhere");

      assertThat(List.of(first, second, scanner)).containsExactly(200, 429, 403);
      Awaitility.await()
          .untilAsserted(
              () ->
                  assertThat(kit.gateway().metrics().scrape())
                      .contains("crossgate_problems_total{type=\"too-many-requests\"} 1.0")
                      .contains("crossgate_problems_total{type=\"filtered\"} 1.0")
                      .contains("crossgate_problems_total{type=\"not-found\"} 1.0")
                      // no --redis: this node counts alone
                      .contains("crossgate_rate_limit_shared 0.0"));
    }
  }

  @Test
  void anUnknownMethodIsCountedAsOtherSoCallersCannotGrowTheLabelSet() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("r", "/r", kit.target("/up")).build());

      kit.send(io.vertx.core.http.HttpMethod.valueOf("BREW"), "/r", "");
      kit.send(io.vertx.core.http.HttpMethod.valueOf("PROPFIND"), "/r", "");

      Awaitility.await()
          .untilAsserted(
              () ->
                  assertThat(kit.gateway().metrics().scrape())
                      .containsPattern(
                          "crossgate_requests_total\\{method=\"OTHER\",route=\"r\",[^}]*\\} 2.0")
                      .doesNotContain("BREW")
                      .doesNotContain("PROPFIND"));
    }
  }

  @Test
  void eachStatusOfOneRouteIsCountedOnItsOwnWhenStatusesAlternate() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("r", "/r", kit.target("/up")).build());
      kit.upstream.respondWith(
          req -> req.response().setStatusCode(req.path().endsWith("/missing") ? 404 : 200).end());

      kit.get("/r/a");
      kit.get("/r/missing");
      kit.get("/r/b");
      kit.get("/r/missing");
      kit.get("/r/c");

      Awaitility.await()
          .untilAsserted(
              () ->
                  assertThat(kit.gateway().metrics().scrape())
                      .contains(
                          "crossgate_requests_total{method=\"GET\",route=\"r\",service=\"svc\",status=\"2xx\",version=\"-\"} 3.0")
                      .contains(
                          "crossgate_requests_total{method=\"GET\",route=\"r\",service=\"svc\",status=\"4xx\",version=\"-\"} 2.0"));
    }
  }
}
