package dev.crossgate.admin.extension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.crossgate.admin.AdminKit;
import dev.crossgate.egress.EgressPolicy;
import dev.crossgate.extension.ArtifactCheck;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The extension registry over the Admin API: the tenant's sync with its own key, and every bad
 * input.
 */
class ExtensionEndpointTest {
  /** The smallest valid WebAssembly module: the magic number and version 1, no sections. */
  private static final byte[] EMPTY_MODULE = {0, 'a', 's', 'm', 1, 0, 0, 0};

  private static AdminKit kit;
  private static HttpServer artifacts;
  private static final Map<String, byte[]> served = new ConcurrentHashMap<>();
  private static String acmeKey;
  private static String globexKey;

  @BeforeAll
  static void start() throws Exception {
    // endpoints and the artifact server are on loopback: allowed here on purpose, refused by
    // default
    kit = AdminKit.start("h2", EgressPolicy.allowing("127.0.0.1/32"));
    artifacts = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    artifacts.createContext(
        "/",
        exchange -> {
          var body = served.get(exchange.getRequestURI().getPath());
          exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
          if (body != null) {
            exchange.getResponseBody().write(body);
          }
          exchange.close();
        });
    artifacts.start();
    acmeKey = kit.tenantWithKey("acme");
    globexKey = kit.tenantWithKey("globex");
  }

  @AfterAll
  static void stop() throws Exception {
    artifacts.stop(0);
    kit.close();
  }

  private static AdminKit.Reply asTenant(String method, String path, String key, String json)
      throws Exception {
    return kit.asTenant(
        method, path, key, "application/json", json == null ? null : json.getBytes());
  }

  private static String spec(String point, String dependsOn, String versions) {
    return "{\"point\":\""
        + point
        + "\",\"endpoint\":\"http://127.0.0.1:9/ext\",\"connection\":\"POOLED\","
        + "\"timeoutMs\":500,\"failurePolicy\":\"FAIL_CLOSED\",\"dependsOn\":["
        + dependsOn
        + "],\"versions\":"
        + versions
        + "}";
  }

  private static String artifactVersion(String path, byte[] module, String sha256) {
    served.put(path, module);
    return "[{\"version\":\"v1\",\"weight\":1,\"artifact\":{\"url\":\"http://127.0.0.1:"
        + artifacts.getAddress().getPort()
        + path
        + "\",\"sha256\":\""
        + sha256
        + "\"}}]";
  }

  private static final String V1 = "[{\"version\":\"v1\",\"weight\":1}]";

  @Test
  void aTenantRegistersItsOwnExtensionWithItsKeyAndTheChangeTravelsAsAnExtensionEntry()
      throws Exception {
    var module = artifactVersion("/good.wasm", EMPTY_MODULE, ArtifactCheck.sha256(EMPTY_MODULE));

    var put =
        asTenant(
            "PUT",
            "/admin/tenants/acme/extensions/order.check",
            acmeKey,
            spec("request", "", module));
    var list = asTenant("GET", "/admin/tenants/acme/extensions", acmeKey, null);
    var changes = kit.get("/admin/changes?after=0");

    assertThat(put.status()).isEqualTo(200);
    assertThat(put.json().path("tenant").asText()).isEqualTo("acme");
    assertThat(put.json().path("versions").get(0).path("artifact").path("sha256").asText())
        .isEqualTo(ArtifactCheck.sha256(EMPTY_MODULE));
    assertThat(list.json().path("items").findValuesAsText("id")).contains("order.check");
    assertThat(changes.body())
        .contains("\"entityType\":\"EXTENSION\"")
        .contains("\"entityId\":\"acme/order.check\"");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                kit.controlPlane().follower().get().extensions().find("acme", "order.check")
                    != null);
  }

  @Test
  void theListShowsTheTenantsCircuitWhenTheNodeRunsBesideTheControlPlane() throws Exception {
    var unknown = kit.get("/admin/tenants/acme/extensions");
    kit.controlPlane()
        .localNode(
            new dev.crossgate.admin.LocalNodeView(
                "standalone",
                tenant -> tenant.equals("acme"),
                id -> java.util.Optional.empty(),
                null,
                null));

    var acme = kit.get("/admin/tenants/acme/extensions");
    var globex = kit.get("/admin/tenants/globex/extensions");

    assertThat(unknown.json().has("circuit")).isFalse();
    assertThat(acme.json().path("circuit").path("open").asBoolean()).isTrue();
    assertThat(globex.json().path("circuit").path("open").asBoolean()).isFalse();
  }

  @Test
  void anotherTenantsKeyCannotReadOrWriteItsExtensions() throws Exception {
    var write =
        asTenant(
            "PUT", "/admin/tenants/acme/extensions/stolen", globexKey, spec("request", "", V1));
    var read = asTenant("GET", "/admin/tenants/acme/extensions", globexKey, null);
    var unknownKey = asTenant("GET", "/admin/tenants/acme/extensions", "cg_not-a-key", null);
    var otherResources = asTenant("GET", "/admin/routes", acmeKey, null);

    assertThat(write.status()).isEqualTo(403);
    assertThat(write.header("content-type")).isEqualTo("application/problem+json");
    assertThat(read.status()).isEqualTo(403);
    assertThat(unknownKey.status()).isEqualTo(401);
    assertThat(otherResources.status())
        .as("a tenant key opens the extension registry only")
        .isEqualTo(403);
    assertThat(kit.get("/admin/tenants/acme/extensions/stolen").status()).isEqualTo(404);
  }

  @Test
  void callersMayChooseVersionsUnlessTheExtensionSaysOtherwise() throws Exception {
    var spec = spec("request", "", V1);

    var byDefault = kit.put("/admin/tenants/acme/extensions/choosable", spec);
    var restricted =
        kit.put(
            "/admin/tenants/acme/extensions/fixed",
            spec.replaceFirst("\\{", "{\"allowCallerVersion\":false,"));

    assertThat(byDefault.json().path("allowCallerVersion").asBoolean()).isTrue();
    assertThat(restricted.status()).isEqualTo(200);
    assertThat(restricted.json().path("allowCallerVersion").asBoolean(true)).isFalse();
    assertThat(
            kit.get("/admin/tenants/acme/extensions/fixed")
                .json()
                .path("allowCallerVersion")
                .asBoolean(true))
        .isFalse();
  }

  @Test
  void aGrpcExtensionIsRegisteredWithTheServersBaseUrlAndRefusedWithAPath() throws Exception {
    var grpc =
        spec("request", "", V1)
            .replace(
                "\"endpoint\":\"http://127.0.0.1:9/ext\"", "\"endpoint\":\"http://127.0.0.1:9\"")
            .replaceFirst("\\{", "{\"protocol\":\"GRPC\",");
    var withPath = spec("request", "", V1).replaceFirst("\\{", "{\"protocol\":\"GRPC\",");

    var accepted = kit.put("/admin/tenants/acme/extensions/grpc.check", grpc);
    var refused = kit.put("/admin/tenants/acme/extensions/grpc.path", withPath);

    assertThat(accepted.status()).isEqualTo(200);
    assertThat(accepted.json().path("protocol").asText()).isEqualTo("GRPC");
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.errorFields()).containsExactly("endpoint");
    assertThat(refused.json().path("errors").get(0).path("message").asText()).contains("base URL");
  }

  @Test
  void anUnknownPointIsRefusedNamingTheField() throws Exception {
    var reply = kit.put("/admin/tenants/acme/extensions/odd", spec("before-lunch", "", V1));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.problemType()).isEqualTo("validation");
    assertThat(reply.errorFields()).containsExactly("point");
    assertThat(reply.json().path("errors").get(0).path("message").asText())
        .contains("request")
        .contains("response");
  }

  @Test
  void aDependencyCycleIsRefusedShowingTheCycle() throws Exception {
    assertThat(kit.put("/admin/tenants/acme/extensions/cyc.a", spec("request", "", V1)).status())
        .isEqualTo(200);
    assertThat(
            kit.put("/admin/tenants/acme/extensions/cyc.b", spec("request", "\"cyc.a\"", V1))
                .status())
        .isEqualTo(200);

    var reply = kit.put("/admin/tenants/acme/extensions/cyc.a", spec("request", "\"cyc.b\"", V1));
    var self = kit.put("/admin/tenants/acme/extensions/cyc.c", spec("request", "\"cyc.c\"", V1));
    var missing =
        kit.put("/admin/tenants/acme/extensions/cyc.d", spec("request", "\"nowhere\"", V1));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.errorFields()).containsExactly("dependsOn[0]");
    assertThat(reply.json().path("errors").get(0).path("message").asText())
        .contains("cyc.a -> cyc.b -> cyc.a");
    assertThat(self.errorFields()).containsExactly("dependsOn[0]");
    assertThat(missing.errorFields()).containsExactly("dependsOn[0]");
  }

  @Test
  void aDependencyCannotBeDeletedWhileAnotherExtensionNeedsIt() throws Exception {
    kit.put("/admin/tenants/acme/extensions/base", spec("request", "", V1));
    kit.put("/admin/tenants/acme/extensions/built-on", spec("request", "\"base\"", V1));

    var refused = kit.delete("/admin/tenants/acme/extensions/base");
    var dependentGone = kit.delete("/admin/tenants/acme/extensions/built-on");
    var deleted = kit.delete("/admin/tenants/acme/extensions/base");

    assertThat(refused.status()).isEqualTo(409);
    assertThat(dependentGone.status()).isEqualTo(204);
    assertThat(deleted.status()).isEqualTo(204);
  }

  @Test
  void anArtifactWhoseDigestDoesNotMatchIsRefused() throws Exception {
    var versions = artifactVersion("/tampered.wasm", EMPTY_MODULE, "0".repeat(64));

    var reply = kit.put("/admin/tenants/acme/extensions/tampered", spec("response", "", versions));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.errorFields()).containsExactly("versions[0].artifact");
    // the digest of what was fetched is never shown: it would let a tenant fingerprint internal
    // answers
    assertThat(reply.json().path("errors").get(0).path("message").asText())
        .contains("SHA-256")
        .doesNotContain(ArtifactCheck.sha256(EMPTY_MODULE));
  }

  @Test
  void anOversizedModuleIsRefused() throws Exception {
    var huge = new byte[ArtifactCheck.MAX_MODULE_BYTES + 1];
    System.arraycopy(EMPTY_MODULE, 0, huge, 0, EMPTY_MODULE.length);
    var versions = artifactVersion("/huge.wasm", huge, ArtifactCheck.sha256(huge));

    var reply = kit.put("/admin/tenants/acme/extensions/huge", spec("response", "", versions));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.json().path("errors").get(0).path("message").asText()).contains("larger than");
  }

  @Test
  void badWeightsDigestsEnumsAndMissingDefaultsAreEachNamed() throws Exception {
    var reply =
        kit.put(
            "/admin/tenants/acme/extensions/messy",
            "{\"point\":\"request\",\"endpoint\":\"ftp://x\","
                + "\"connection\":\"SOMETIMES\",\"timeoutMs\":0,\"failurePolicy\":\"DEFAULT_RESPONSE\",\"versions\":["
                + "{\"version\":\"v1\",\"weight\":-1},{\"version\":\"v1\",\"weight\":5000,"
                + "\"artifact\":{\"url\":\"http://127.0.0.1:9/m.wasm\",\"sha256\":\"ABC\"}}]}");
    var zero =
        kit.put(
            "/admin/tenants/acme/extensions/zero",
            spec("request", "", "[{\"version\":\"v1\",\"weight\":0}]"));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.errorFields())
        .containsExactlyInAnyOrder(
            "endpoint",
            "connection",
            "timeoutMs",
            "defaultResponse",
            "versions[0].weight",
            "versions[1].version",
            "versions[1].weight",
            "versions[1].artifact.sha256");
    assertThat(zero.errorFields()).containsExactly("versions");
  }

  @Test
  void anUnknownTenantIsNotFound() throws Exception {
    var reply = kit.put("/admin/tenants/nobody/extensions/x", spec("request", "", V1));

    assertThat(reply.status()).isEqualTo(404);
    assertThat(URI.create(reply.json().path("type").asText()).getPath()).endsWith("not-found");
  }
}
