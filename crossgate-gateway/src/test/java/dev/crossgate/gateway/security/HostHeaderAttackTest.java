package dev.crossgate.gateway.security;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.kit.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Host headers a gateway and an upstream could read differently (RFC 9112 section 3.2): the gateway
 * routes on one virtual host while the upstream serves another. Every such request is a 400 problem
 * and the upstream sees nothing of it.
 */
class HostHeaderAttackTest {
  private final GatewayKit kit = GatewayKit.start();

  @BeforeEach
  void routes() {
    kit.routes(
        route("public", "/shop", kit.target("/public")).host("public.example").build(),
        route("internal", "/shop", kit.target("/internal")).host("internal.example").build());
  }

  @AfterEach
  void close() {
    kit.close();
  }

  @Test
  void aRequestWithTwoHostHeadersIsRefusedAndNeverReachesTheUpstream() {
    var response =
        RawHttp.send(
            kit.port(),
            "GET /shop/items HTTP/1.1",
            "Host: public.example",
            "Host: internal.example",
            "Connection: close");

    assertProblem(response, 400, "bad-request");
    assertThat(response.json().get("detail").toString()).contains("more than one Host");
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void anHttp11RequestWithoutHostIsRefusedAndNeverReachesTheUpstream() {
    var response = RawHttp.send(kit.port(), "GET /shop/items HTTP/1.1", "Connection: close");

    assertProblem(response, 400, "bad-request");
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void aHostWithUserInfoIsRefusedAndNeverReachesTheUpstream() {
    var response =
        RawHttp.send(
            kit.port(),
            "GET /shop/items HTTP/1.1",
            "Host: public.example@internal.example",
            "Connection: close");

    assertProblem(response, 400, "bad-request");
    assertThat(response.json().get("detail").toString()).contains("user info");
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void aHostThatIsAListIsRefusedAndNeverReachesTheUpstream() {
    var response =
        RawHttp.send(
            kit.port(),
            "GET /shop/items HTTP/1.1",
            "Host: public.example, internal.example",
            "Connection: close");

    assertProblem(response, 400, "bad-request");
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void oneWellFormedHostIsRoutedAsBefore() {
    var response =
        RawHttp.send(
            kit.port(),
            "GET /shop/items HTTP/1.1",
            "Host: internal.example:" + kit.port(),
            "Connection: close");

    assertThat(response.status()).isEqualTo(200);
    assertThat(kit.upstream.next().uri()).isEqualTo("/internal/items");
  }

  /** The gateway remembers the Host it accepted last: a different, bad one is still checked. */
  @Test
  void aBadHostAfterAcceptedOnesIsStillRefused() {
    for (int round = 0; round < 4; round++) {
      var accepted =
          RawHttp.send(
              kit.port(), "GET /shop/items HTTP/1.1", "Host: public.example", "Connection: close");
      var refused =
          RawHttp.send(
              kit.port(),
              "GET /shop/items HTTP/1.1",
              "Host: public.example@internal.example",
              "Connection: close");

      assertThat(accepted.status()).isEqualTo(200);
      assertProblem(refused, 400, "bad-request");
    }
    assertThat(kit.upstream.next().uri()).isEqualTo("/public/items");
  }

  /**
   * A gateway problem: status, type, problem+json, and the request id as header, member and
   * instance.
   */
  static void assertProblem(RawHttp.Response response, int status, String type) {
    assertThat(response.status()).isEqualTo(status);
    assertThat(response.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(response.problemType()).isEqualTo(type);
    var requestId = response.header("X-Request-Id");
    assertThat(response.json())
        .containsEntry("requestId", requestId)
        .containsEntry("instance", "urn:crossgate:request:" + requestId);
  }
}
