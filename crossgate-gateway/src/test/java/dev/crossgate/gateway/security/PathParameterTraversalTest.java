package dev.crossgate.gateway.security;

import static dev.crossgate.gateway.kit.GatewayKit.filter;
import static dev.crossgate.gateway.kit.TestRoutes.route;
import static dev.crossgate.gateway.security.HostHeaderAttackTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.filter.FilterRule.Kind;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.kit.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Servlet containers strip {@code ;params} from a segment before resolving dot segments, so {@code
 * /shop/v1/..;/admin} matched the public route here and reached the upstream as {@code
 * /up/..;/admin}, which it serves as {@code /admin}. Such paths, and fragments, are 400s now and
 * the upstream receives nothing. Sent raw: HTTP clients rewrite or drop these parts.
 */
class PathParameterTraversalTest {
  private final GatewayKit kit = GatewayKit.start();

  @BeforeEach
  void routes() {
    kit.routes(route("shop", "/shop/v1", kit.target("/up")).build());
    kit.filters(filter("no-admin", Kind.PATH_PREFIX, "/shop/v1/admin"));
  }

  @AfterEach
  void close() {
    kit.close();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/shop/v1/..;/admin",
        "/shop/v1/..;x=1/admin",
        "/shop/v1/%2e%2e;/admin",
        "/shop/v1/admin;x=1/users",
        "/shop/v1/.;/admin",
        "/shop/v1;jsessionid=1/items"
      })
  void aPathWithPathParametersIsRefusedAndNeverReachesTheUpstream(String path) {
    var response =
        RawHttp.send(
            kit.port(), "GET " + path + " HTTP/1.1", "Host: 127.0.0.1", "Connection: close");

    assertProblem(response, 400, "bad-request");
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/shop/v1/items#/../../admin", "/shop/v1/items?q=1#frag"})
  void aFragmentInTheRequestTargetIsRefusedAndNeverForwarded(String target) {
    var response =
        RawHttp.send(
            kit.port(), "GET " + target + " HTTP/1.1", "Host: 127.0.0.1", "Connection: close");

    assertProblem(response, 400, "bad-request");
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void anEncodedSemicolonIsDataAndIsForwardedAsSent() {
    var response =
        RawHttp.send(
            kit.port(), "GET /shop/v1/a%3Bb HTTP/1.1", "Host: 127.0.0.1", "Connection: close");

    assertThat(response.status()).isEqualTo(200);
    assertThat(kit.upstream.next().uri()).isEqualTo("/up/a%3Bb");
  }
}
