package dev.crossgate.gateway.flow;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.extension.Extension;
import dev.crossgate.extension.ModuleLoad;
import dev.crossgate.gateway.extension.ExtensionOptions;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.kit.TenantServer;
import dev.crossgate.gateway.kit.TenantServer.Answer;
import dev.crossgate.gateway.kit.TestExtensions;
import dev.crossgate.gateway.kit.WatModules;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's load state of the WebAssembly modules fetched from tenants' URLs, as its heartbeat
 * reports it ({@code GatewayServer#moduleLoads}): loaded after the first call, failed with a reason
 * safe to show the tenant, and per tenant that asked, though the cache keys on the digest.
 */
class ModuleLoadStateTest {
  private static final String ANSWER = "{\"request\":{\"headers\":{\"x-ran\":\"yes\"}}}";

  @TempDir Path moduleDir;

  private GatewayKit kit;
  private TenantServer tenant;

  @BeforeEach
  void start() {
    kit =
        GatewayKit.startWithLoopbackTenants(
            new ExtensionOptions(moduleDir, 64 * 1024, 64 * 1024, 16, 2, 3, Duration.ofMinutes(5)));
    tenant = TenantServer.start(kit.vertx);
  }

  @AfterEach
  void stop() {
    tenant.close();
    kit.close();
  }

  @Test
  void aModuleFromTheTenantsUrlIsReportedLoadedWithItsDigestAfterTheFirstCall() {
    var artifact = tenant.artifact("hello.wasm", WatModules.answering(ANSWER));
    serve("acme", "hello", artifact);
    var key = kit.apiKey("acme");
    var before = kit.gateway().moduleLoads();

    var reply = kit.get("/acme", "X-Api-Key", key);

    assertThat(reply.status()).isEqualTo(200);
    assertThat(before).isEmpty();
    var loads = kit.gateway().moduleLoads();
    assertThat(loads).hasSize(1);
    assertThat(loads.get(0).tenant()).isEqualTo("acme");
    assertThat(loads.get(0).sha256()).isEqualTo(artifact.sha256());
    assertThat(loads.get(0).state()).isEqualTo(ModuleLoad.State.LOADED);
    assertThat(loads.get(0).since()).isNotNull();
    assertThat(loads.get(0).detail()).isNull();
  }

  @Test
  void aModuleThatCannotBeFetchedIsReportedFailedWithoutNamingItsUrl() {
    var module = WatModules.answering(ANSWER);
    var unreachable =
        new Extension.Artifact(
            "http://127.0.0.1:" + GatewayKit.closedPort() + "/internal-path/hello.wasm",
            dev.crossgate.extension.ArtifactCheck.sha256(module));
    serve("acme", "hello", unreachable);

    var reply = kit.get("/acme", "X-Api-Key", kit.apiKey("acme"));

    assertThat(reply.status()).as("the call still runs at the tenant").isEqualTo(200);
    var load = kit.gateway().moduleLoads().get(0);
    assertThat(load.state()).isEqualTo(ModuleLoad.State.FAILED);
    assertThat(load.since()).isNotNull();
    assertThat(load.detail())
        .isEqualTo("the module could not be fetched")
        .doesNotContain("127.0.0.1", "internal-path");
  }

  @Test
  void aModuleOverTheMemoryLimitIsReportedFailedWithTheReason() {
    var artifact = tenant.artifact("greedy.wasm", WatModules.needingPages(17));
    serve("acme", "greedy", artifact);

    kit.get("/acme", "X-Api-Key", kit.apiKey("acme"));

    var load = kit.gateway().moduleLoads().get(0);
    assertThat(load.state()).isEqualTo(ModuleLoad.State.FAILED);
    assertThat(load.detail())
        .isEqualTo("the module needs 17 memory pages, more than the 16 allowed")
        .doesNotContain("Exception", "\tat ");
  }

  @Test
  void aModuleIsReportedOnlyForTheTenantsThatAskedForItThoughTheCacheKeysOnItsDigest() {
    var artifact = tenant.artifact("shared.wasm", WatModules.answering(ANSWER));
    var globexArtifact = tenant.artifact("same-bytes.wasm", WatModules.answering(ANSWER));
    kit.extensions(extension("acme", "hello", artifact), extension("globex", "hi", globexArtifact));
    kit.routes(
        route("hello", "/hello", kit.target("/b")).keyAuth().flow("ext:hello").build(),
        route("hi", "/hi", kit.target("/b")).keyAuth().flow("ext:hi").build());
    kit.get("/hello", "X-Api-Key", kit.apiKey("acme"));
    var onlyAcme = kit.gateway().moduleLoads();

    var globex = kit.get("/hi", "X-Api-Key", kit.apiKey("globex"));

    assertThat(globexArtifact.sha256()).isEqualTo(artifact.sha256());
    assertThat(onlyAcme).extracting(ModuleLoad::tenant).containsExactly("acme");
    assertThat(globex.status()).isEqualTo(200);
    assertThat(tenant.calls("hi"))
        .as("globex ran the module acme's call cached, in-process")
        .isEmpty();
    assertThat(kit.gateway().moduleLoads())
        .extracting(ModuleLoad::tenant, ModuleLoad::state)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("acme", ModuleLoad.State.LOADED),
            org.assertj.core.groups.Tuple.tuple("globex", ModuleLoad.State.LOADED));
  }

  /** Registers {@code tenant}'s request extension {@code id} with one version and a route to it. */
  private void serve(String tenantId, String id, Extension.Artifact artifact) {
    kit.extensions(extension(tenantId, id, artifact));
    kit.routes(
        route(tenantId, "/" + tenantId, kit.target("/b")).keyAuth().flow("ext:" + id).build());
  }

  /** {@code tenant}'s request extension {@code id}, answered by the tenant server too. */
  private Extension extension(String tenantId, String id, Extension.Artifact artifact) {
    tenant.answer(id, call -> Answer.ok(ANSWER));
    return TestExtensions.of(
        tenantId,
        id,
        "request",
        tenant.endpoint(id),
        Extension.Protocol.HTTP,
        Extension.FailurePolicy.FAIL_CLOSED,
        new Extension.Version("v1", 1, artifact));
  }
}
