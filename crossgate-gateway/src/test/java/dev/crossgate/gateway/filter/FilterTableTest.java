package dev.crossgate.gateway.filter;

import static dev.crossgate.gateway.kit.GatewayKit.filter;
import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.filter.FilterRule.Kind;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.kit.GatewayKit;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FilterTableTest {
  private GatewayKit kit = GatewayKit.start();

  @AfterEach
  void close() {
    kit.close();
  }

  private void givenRouteAndFilter(dev.crossgate.filter.FilterRule rule) {
    kit.routes(route("a", "/", kit.target("")).build());
    kit.filters(rule);
  }

  @Test
  void aClientIpInABlockedCidrIsRejectedWithTheRulesStatusAndMessage() {
    givenRouteAndFilter(filter("ip", Kind.IP, "127.0.0.0/8", null, 451, "your network is blocked"));

    var reply = kit.get("/x");

    assertThat(reply.status()).isEqualTo(451);
    assertThat(reply.problemType()).isEqualTo("filtered");
    assertThat(reply.json())
        .containsEntry("detail", "your network is blocked")
        .containsEntry("rule", "ip");
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void behindATrustedProxyTheForwardedClientIpIsFilteredNotTheProxys() {
    kit.close();
    kit =
        GatewayKit.start(
            GatewayOptions.defaults().withEventLoops(1).withTrustedProxies(List.of("127.0.0.1")));
    givenRouteAndFilter(filter("ip", Kind.IP, "198.51.100.0/24"));

    var blocked = kit.get("/x", "X-Forwarded-For", "198.51.100.7");
    var allowed = kit.get("/x", "X-Forwarded-For", "203.0.113.1");
    var spoofed = kit.get("/x", "X-Forwarded-For", "198.51.100.7, 203.0.113.1");

    assertThat(blocked.status()).isEqualTo(403);
    assertThat(allowed.status()).isEqualTo(200);
    assertThat(spoofed.status()).as("only the hop the trusted proxy saw counts").isEqualTo(200);
  }

  @Test
  void anUntrustedClientCannotEscapeAnIpRuleWithXForwardedFor() {
    givenRouteAndFilter(filter("ip", Kind.IP, "127.0.0.1"));

    var reply = kit.get("/x", "X-Forwarded-For", "203.0.113.1");

    assertThat(reply.status()).isEqualTo(403);
  }

  @Test
  void aPathPrefixRuleMatchesAtSegmentBoundariesOnly() {
    givenRouteAndFilter(filter("p", Kind.PATH_PREFIX, "/admin"));

    var blocked = kit.get("/admin/users");
    var exact = kit.get("/admin");
    var other = kit.get("/administrator");

    assertThat(blocked.status()).isEqualTo(403);
    assertThat(exact.status()).isEqualTo(403);
    assertThat(other.status()).isEqualTo(200);
  }

  @Test
  void aPathRegexRuleMatchesTheWholeNormalisedPath() {
    givenRouteAndFilter(filter("re", Kind.PATH_REGEX, ".*\\.php"));

    var blocked = kit.get("/wp/login.php");
    var allowed = kit.get("/wp/login.php/x");

    assertThat(blocked.status()).isEqualTo(403);
    assertThat(allowed.status()).isEqualTo(200);
  }

  @Test
  void aMethodRuleRejectsThatMethod() {
    // not TRACE any more: the gateway refuses it (405) before the filter table runs
    givenRouteAndFilter(filter("m", Kind.METHOD, "DELETE"));

    var blocked = kit.send(HttpMethod.DELETE, "/x", null);
    var allowed = kit.get("/x");

    assertThat(blocked.status()).isEqualTo(403);
    assertThat(allowed.status()).isEqualTo(200);
  }

  @Test
  void aHeaderRuleRejectsAMatchingValue() {
    givenRouteAndFilter(filter("h", Kind.HEADER, "evil", "X-Origin-App", 403, null));

    var blocked = kit.get("/x", "X-Origin-App", "very-evil-app");
    var allowed = kit.get("/x", "X-Origin-App", "good");
    var absent = kit.get("/x");

    assertThat(blocked.status()).isEqualTo(403);
    assertThat(blocked.problemType()).isEqualTo("filtered");
    assertThat(allowed.status()).isEqualTo(200);
    assertThat(absent.status()).isEqualTo(200);
  }

  @Test
  void aUserAgentRuleRejectsMatchingClients() {
    givenRouteAndFilter(filter("ua", Kind.USER_AGENT, "(?i)sqlmap|nikto"));

    var blocked = kit.get("/x", "User-Agent", "sqlmap/1.7");
    var allowed = kit.get("/x", "User-Agent", "curl/8.0");

    assertThat(blocked.status()).isEqualTo(403);
    assertThat(allowed.status()).isEqualTo(200);
  }

  @Test
  void aBodySizeRuleRejectsADeclaredLargerBodyBeforeReadingIt() {
    givenRouteAndFilter(filter("size", Kind.BODY_SIZE, "10", null, 413, null));

    var blocked = kit.send(HttpMethod.POST, "/x", "01234567890");
    var allowed = kit.send(HttpMethod.POST, "/x", "0123456789");

    assertThat(blocked.status()).isEqualTo(413);
    assertThat(blocked.problemType()).isEqualTo("filtered");
    assertThat(blocked.json()).containsEntry("limit", 10);
    assertThat(allowed.status()).isEqualTo(200);
    assertThat(kit.upstream.next().body()).isEqualTo("0123456789");
  }

  @Test
  void rulesAreEvaluatedInPriorityOrder() {
    kit.routes(route("a", "/", kit.target("")).build());
    kit.filters(
        new dev.crossgate.filter.FilterRule(
            "late",
            null,
            200,
            Kind.PATH_PREFIX,
            "/x",
            null,
            403,
            "late",
            true,
            "t",
            java.time.Instant.now(),
            1,
            null,
            null),
        new dev.crossgate.filter.FilterRule(
            "early",
            null,
            10,
            Kind.METHOD,
            "GET",
            null,
            405,
            "early",
            true,
            "t",
            java.time.Instant.now(),
            1,
            null,
            null));

    var reply = kit.get("/x");

    assertThat(reply.status()).isEqualTo(405);
    assertThat(reply.json()).containsEntry("rule", "early");
  }
}
