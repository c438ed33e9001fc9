package dev.crossgate.gateway.auth;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.kit.GatewayKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ApiKeyTest {
  private final GatewayKit kit = GatewayKit.start();

  @AfterEach
  void close() {
    kit.close();
  }

  @Test
  void aKeyRouteWithoutAKeyIs401() {
    kit.routes(route("k", "/k", kit.target("/k")).keyAuth().build());

    var reply = kit.get("/k");

    assertThat(reply.status()).isEqualTo(401);
    assertThat(reply.problemType()).isEqualTo("unauthorized");
    assertThat(reply.header("WWW-Authenticate")).startsWith("Bearer");
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void anUnknownKeyIs401() {
    kit.routes(route("k", "/k", kit.target("/k")).keyAuth().build());
    kit.apiKey("acme");

    var reply = kit.get("/k", "X-Api-Key", "guessed");

    assertThat(reply.status()).isEqualTo(401);
  }

  @Test
  void aValidKeyPassesAndIsNotForwardedUpstream() {
    kit.routes(route("k", "/k", kit.target("/k")).keyAuth().build());
    var key = kit.apiKey("acme");

    var byHeader = kit.get("/k", "X-Api-Key", key);
    var atHeader = kit.upstream.next();
    var byBearer = kit.get("/k", "Authorization", "Bearer " + key);
    var atBearer = kit.upstream.next();

    assertThat(byHeader.status()).isEqualTo(200);
    assertThat(byBearer.status()).isEqualTo(200);
    assertThat(atHeader.headers().get("X-Api-Key")).isNull();
    assertThat(atBearer.headers().get("Authorization")).isNull();
  }

  @Test
  void aRouteWithoutAuthPassesTheCallersAuthorizationOn() {
    kit.routes(route("open", "/open", kit.target("/o")).build());

    kit.get("/open", "Authorization", "Bearer upstream-token");

    assertThat(kit.upstream.next().headers().get("Authorization"))
        .isEqualTo("Bearer upstream-token");
  }
}
