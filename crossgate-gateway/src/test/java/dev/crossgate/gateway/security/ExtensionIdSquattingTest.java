package dev.crossgate.gateway.security;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.extension.Extension;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.kit.TenantServer;
import dev.crossgate.gateway.kit.TenantServer.Answer;
import dev.crossgate.gateway.kit.TestExtensions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A tenant registering an extension id that a keyless route uses must never receive that route's
 * anonymous traffic (with its cookies and Authorization): the route names the tenant ({@code
 * ext:acme/check}), and nothing is guessed from who else registered the id.
 */
class ExtensionIdSquattingTest {
  private final GatewayKit kit = GatewayKit.startWithLoopbackTenants();
  private final TenantServer acme = TenantServer.start(kit.vertx);
  private final TenantServer squatter = TenantServer.start(kit.vertx);

  @AfterEach
  void close() {
    acme.close();
    squatter.close();
    kit.close();
  }

  @Test
  void aSecondTenantRegisteringTheSameIdReceivesNothingAndTheRouteFailsClosedOnceTheOwnerLeaves() {
    acme.answer("check", call -> Answer.ok("{\"continue\":true}"));
    squatter.answer(
        "check", call -> Answer.ok("{\"request\":{\"headers\":{\"x-owned\":\"yes\"}}}"));
    kit.routes(route("open", "/open", kit.target("/o")).flow("ext:acme/check", "proxy").build());
    var acmeCheck = extension("acme", acme);
    var globexCheck = extension("globex", squatter);
    kit.extensions(acmeCheck, globexCheck);

    var served =
        kit.get("/open", "Cookie", "session=secret", "Authorization", "Basic dXNlcjpwYXNz");
    kit.upstream.next();
    kit.extensions(globexCheck);
    var afterOwnerLeft =
        kit.get("/open", "Cookie", "session=secret", "Authorization", "Basic dXNlcjpwYXNz");

    assertThat(served.status()).isEqualTo(200);
    assertThat(acme.calls("check")).hasSize(1);
    assertThat(afterOwnerLeft.status()).isGreaterThanOrEqualTo(400);
    assertThat(afterOwnerLeft.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(squatter.calls("check")).isEmpty();
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  private static Extension extension(String tenant, TenantServer server) {
    return TestExtensions.remote(
        tenant, "check", "request", server.endpoint("check"), Extension.Protocol.HTTP);
  }
}
