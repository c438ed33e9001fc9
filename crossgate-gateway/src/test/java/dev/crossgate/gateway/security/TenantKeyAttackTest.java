package dev.crossgate.gateway.security;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.kit.GatewayKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Attacks with and on tenant API keys at the traffic port: a disabled tenant's key, and a Crossgate
 * credential leaking to an upstream that should never see it.
 */
class TenantKeyAttackTest {
  private final GatewayKit kit = GatewayKit.start();

  @AfterEach
  void close() {
    kit.close();
  }

  @Test
  void aDisabledTenantsKeyIsRefusedOnKeyRoutesOpenRoutesAndBuiltInEndpoints() {
    kit.routes(
        route("k", "/k", kit.target("/k")).keyAuth().build(),
        route("open", "/open", kit.target("/o")).build());
    var key = kit.apiKey("acme");
    kit.tenantEnabled("acme", false);

    var keyRoute = kit.get("/k", "X-Api-Key", key);
    var openRoute = kit.get("/open", "Authorization", "Bearer " + key);
    var interfaces = kit.get("/_interfaces", "X-Api-Key", key);
    // refused by the caller step, before any built-in endpoint could look the tenant's objects up
    var tasks = kit.get("/_tasks/tk_0000000000000000000000", "X-Api-Key", key);
    var transfers =
        kit.send(
            io.vertx.core.http.HttpMethod.POST,
            "/_transfers",
            "{}",
            "Authorization",
            "Bearer " + key);

    for (var reply : java.util.List.of(keyRoute, openRoute, interfaces, tasks, transfers)) {
      assertThat(reply.status()).isEqualTo(403);
      assertThat(reply.problemType()).isEqualTo("tenant-disabled");
      assertThat(reply.header("Content-Type")).isEqualTo("application/problem+json");
    }
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void aTenantEnabledAgainIsServedAgain() {
    kit.routes(route("k", "/k", kit.target("/k")).keyAuth().build());
    var key = kit.apiKey("acme");
    kit.tenantEnabled("acme", false);
    assertThat(kit.get("/k", "X-Api-Key", key).status()).isEqualTo(403);

    kit.tenantEnabled("acme", true);

    assertThat(kit.get("/k", "X-Api-Key", key).status()).isEqualTo(200);
  }

  @Test
  void aCrossgateKeyNeverTravelsUpstreamEvenOnARouteWithoutAuth() {
    kit.routes(route("open", "/open", kit.target("/o")).build());
    var key = kit.apiKey("acme");

    kit.get("/open", "X-Api-Key", key);
    var asHeader = kit.upstream.next();
    kit.get("/open", "Authorization", "Bearer " + key);
    var asBearer = kit.upstream.next();
    kit.get("/open", "X-Api-Key", "not-a-key-of-ours");
    var unknown = kit.upstream.next();

    assertThat(asHeader.headers().get("X-Api-Key")).isNull();
    assertThat(asBearer.headers().get("Authorization")).isNull();
    assertThat(unknown.headers().get("X-Api-Key")).isNull();
  }

  @Test
  void anUpstreamsOwnBearerTokenIsLeftAloneOnARouteWithoutAuth() {
    kit.routes(route("open", "/open", kit.target("/o")).build());
    kit.apiKey("acme");

    kit.get("/open", "Authorization", "Bearer upstream-token");

    assertThat(kit.upstream.next().headers().get("Authorization"))
        .isEqualTo("Bearer upstream-token");
  }

  @Test
  void anInvalidKeyOnAKeyRouteIsTold401WithAChallengeAndNothingIsForwarded() {
    kit.routes(route("k", "/k", kit.target("/k")).keyAuth().build());
    kit.apiKey("acme");

    var reply = kit.get("/k", "Authorization", "Bearer guessed");

    assertThat(reply.status()).isEqualTo(401);
    assertThat(reply.json()).containsEntry("detail", "the API key is not valid");
    assertThat(reply.header("WWW-Authenticate")).startsWith("Bearer");
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }
}
