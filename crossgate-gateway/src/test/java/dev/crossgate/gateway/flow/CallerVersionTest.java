package dev.crossgate.gateway.flow;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.extension.Extension;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.kit.TenantServer;
import dev.crossgate.gateway.kit.TenantServer.Answer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code X-Crossgate-Extension-Version} on a request: a caller of the tenant that owns every
 * extension step of the flow pins the flow to the version it names; anyone else's header is ignored
 * and the platform or the tenant chooses as usual.
 */
class CallerVersionTest {
  private static final String VERSION = "X-Crossgate-Extension-Version";

  private final GatewayKit kit = GatewayKit.startWithLoopbackTenants();
  private final TenantServer acme = TenantServer.start(kit.vertx);

  @AfterEach
  void close() {
    acme.close();
    kit.close();
  }

  @Test
  void aCallerPinsAVersionOfItsOwnTenantsExtensionForTheWholeFlow() {
    givenPickAndStamp(true);
    var key = kit.apiKey("acme");

    var reply = kit.get("/orders", "X-Api-Key", key, VERSION, "v2");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header(VERSION)).isEqualTo("v2");
    assertThat(reply.header("x-stamp")).isEqualTo("v2");
    assertThat(acme.calls("pick").get(0).versionHeader()).isEqualTo("v2");
    assertThat(acme.calls("stamp").get(0).versionHeader()).isEqualTo("v2");
    var atUpstream = kit.upstream.next();
    assertThat(atUpstream.headers().get("x-pick")).isEqualTo("v2");
    assertThat(atUpstream.headers().get(VERSION)).isNull();
  }

  @Test
  void aCallerOfAnotherTenantCannotPinTheOwnersVersion() {
    givenPickAndStamp(true);
    kit.routes(
        route("named", "/named", kit.target("/b"))
            .keyAuth()
            .flow("ext:acme/pick", "proxy", "ext:acme/stamp")
            .build());
    var intruder = kit.apiKey("globex");

    var reply = kit.get("/named", "X-Api-Key", intruder, VERSION, "v2");

    assertThat(reply.status()).isEqualTo(200);
    // v2 has weight 0: only a caller's pin could have chosen it
    assertThat(reply.header(VERSION)).isEqualTo("v1");
    assertThat(acme.calls("pick").get(0).versionHeader()).isNull();
    assertThat(acme.calls("stamp").get(0).versionHeader()).isEqualTo("v1");
    assertThat(kit.upstream.next().headers().get(VERSION)).isNull();
  }

  @Test
  void anExtensionThatDisallowsCallerVersionsIgnoresTheHeader() {
    givenPickAndStamp(false);
    var key = kit.apiKey("acme");

    var reply = kit.get("/orders", "X-Api-Key", key, VERSION, "v2");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header(VERSION)).isEqualTo("v1");
    assertThat(acme.calls("pick").get(0).versionHeader()).isNull();
  }

  @Test
  void aPinnedVersionTheExtensionLacksFailsByItsPolicy() {
    givenPickAndStamp(true);
    var key = kit.apiKey("acme");

    var reply = kit.get("/orders", "X-Api-Key", key, VERSION, "v9");

    assertThat(reply.status()).isEqualTo(502);
    assertThat(reply.problemType()).isEqualTo("extension-version-unavailable");
    assertThat(acme.calls("pick")).isEmpty();
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  /** acme's {@code pick} (request) and {@code stamp} (response), v2 never picked by weight. */
  private void givenPickAndStamp(boolean allowCallerVersion) {
    acme.answer(
        "pick",
        call ->
            Answer.ok(
                "{\"request\":{\"headers\":{\"x-pick\":\""
                    + (call.versionHeader() == null ? "v1" : call.versionHeader())
                    + "\"}}}"));
    acme.answer(
        "stamp",
        call ->
            Answer.ok(
                "{\"response\":{\"headers\":{\"x-stamp\":\"" + call.versionHeader() + "\"}}}"));
    kit.extensions(
        extension("pick", "request", allowCallerVersion),
        extension("stamp", "response", allowCallerVersion));
    kit.routes(
        route("orders", "/orders", kit.target("/b"))
            .keyAuth()
            .flow("ext:pick", "proxy", "ext:stamp")
            .build());
  }

  private Extension extension(String id, String point, boolean allowCallerVersion) {
    return new Extension(
        "acme",
        id,
        point,
        acme.endpoint(id),
        Extension.Protocol.HTTP,
        Extension.Connection.POOLED,
        2_000,
        Extension.FailurePolicy.FAIL_CLOSED,
        null,
        List.of(new Extension.Version("v1", 1, null), new Extension.Version("v2", 0, null)),
        List.of(),
        allowCallerVersion,
        Instant.EPOCH,
        Instant.EPOCH,
        1);
  }
}
