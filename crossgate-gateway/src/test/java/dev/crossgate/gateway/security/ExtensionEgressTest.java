package dev.crossgate.gateway.security;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.egress.EgressPolicy;
import dev.crossgate.extension.ArtifactCheck;
import dev.crossgate.extension.Extension;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.GatewayServices;
import dev.crossgate.gateway.extension.ExtensionOptions;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.kit.InternalService;
import dev.crossgate.gateway.kit.TenantServer;
import dev.crossgate.gateway.kit.TestExtensions;
import dev.crossgate.gateway.kit.WatModules;
import dev.crossgate.problem.LeakCheck;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tenant's extension names two URLs the gateway node connects to: the endpoint it calls and the
 * artifact it fetches. Both are the tenant's choice, so both go through the egress policy on the
 * node at connect time — whatever the registry checked at registration, DNS may say otherwise
 * today. Each attack is proven harmless by an internal service that sees no connection.
 */
class ExtensionEgressTest {
  private static final String CONTINUE = "{\"continue\":true}";

  @TempDir Path moduleDir;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private GatewayKit kit;
  private TenantServer tenant;
  private String key;

  private void start(EgressPolicy egress) {
    kit =
        GatewayKit.start(
            GatewayOptions.defaults().withEventLoops(1).withEgress(egress),
            GatewayServices.NONE.withExtensions(ExtensionOptions.defaults(moduleDir)));
    tenant = TenantServer.start(kit.vertx);
    key = kit.apiKey("acme");
  }

  private InternalService internal(String host) {
    var service = InternalService.start(kit.vertx, host);
    closing.add(service);
    return service;
  }

  @AfterEach
  void stop() throws Exception {
    for (var c : closing) {
      c.close();
    }
    tenant.close();
    kit.close();
  }

  @Test
  void anExtensionEndpointOnLoopbackIsNeverCalledAndTheFlowFailsClosedWithoutItsStatus() {
    start(EgressPolicy.DEFAULT);
    var admin = internal("127.0.0.1");
    kit.extensions(
        extension("probe", admin.url("/admin/tokens"), new Extension.Version("v1", 1, null)));
    kit.routes(
        route("orders", "/orders", kit.target("/backend"))
            .keyAuth()
            .flow("ext:probe", "proxy")
            .build());

    var reply =
        kit.send(
            HttpMethod.POST, "/orders", "{}", "X-Api-Key", key, "Content-Type", "application/json");

    assertThat(reply.status()).isEqualTo(502);
    assertThat(reply.problemType()).isEqualTo("extension-failed");
    assertThat(LeakCheck.withoutRandomParts(reply.body()))
        .doesNotContain("401")
        .contains("could not be reached");
    assertThat(admin.untouched()).isTrue();
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void anArtifactOnAnInternalAddressIsNeverFetchedAndTheExtensionKeepsRunningAtTheTenant() {
    start(EgressPolicy.allowing("127.0.0.1/32"));
    var internalStore = internal("127.0.0.2");
    var module = WatModules.answering(CONTINUE);
    var artifact =
        new Extension.Artifact(internalStore.url("/m.wasm"), ArtifactCheck.sha256(module));
    kit.extensions(
        extension("check", tenant.endpoint("check"), new Extension.Version("v1", 1, artifact)));
    kit.routes(
        route("orders", "/orders", kit.target("/backend"))
            .keyAuth()
            .flow("ext:check", "proxy")
            .build());

    var first = kit.send(HttpMethod.GET, "/orders", null, "X-Api-Key", key);
    var second = kit.send(HttpMethod.GET, "/orders", null, "X-Api-Key", key);

    assertThat(first.status()).isEqualTo(200);
    assertThat(second.status()).isEqualTo(200);
    assertThat(tenant.calls("check")).as("never cached, so every call is remote").hasSize(2);
    assertThat(internalStore.untouched()).isTrue();
  }

  @Test
  void anArtifactRedirectToAnInternalAddressIsNotFollowed() {
    start(EgressPolicy.allowing("127.0.0.1/32"));
    var internalStore = internal("127.0.0.2");
    HttpServer redirector =
        kit.vertx
            .createHttpServer()
            .requestHandler(
                request ->
                    request
                        .response()
                        .setStatusCode(302)
                        .putHeader("Location", internalStore.url("/m.wasm"))
                        .end());
    GatewayKit.await(redirector.listen(0, "127.0.0.1"));
    closing.add(() -> GatewayKit.await(redirector.close()));
    var module = WatModules.answering(CONTINUE);
    var artifact =
        new Extension.Artifact(
            "http://127.0.0.1:" + redirector.actualPort() + "/m.wasm",
            ArtifactCheck.sha256(module));
    kit.extensions(
        extension("check", tenant.endpoint("check"), new Extension.Version("v1", 1, artifact)));
    kit.routes(
        route("orders", "/orders", kit.target("/backend"))
            .keyAuth()
            .flow("ext:check", "proxy")
            .build());

    var first = kit.send(HttpMethod.GET, "/orders", null, "X-Api-Key", key);
    var second = kit.send(HttpMethod.GET, "/orders", null, "X-Api-Key", key);

    assertThat(first.status()).isEqualTo(200);
    assertThat(second.status()).isEqualTo(200);
    assertThat(tenant.calls("check")).hasSize(2);
    assertThat(internalStore.untouched()).isTrue();
  }

  private static Extension extension(String id, String endpoint, Extension.Version... versions) {
    return TestExtensions.of(
        "acme",
        id,
        "request",
        endpoint,
        Extension.Protocol.HTTP,
        Extension.FailurePolicy.FAIL_CLOSED,
        versions);
  }
}
