package dev.crossgate.admin.extension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.dylibso.chicory.wabt.Wat2Wasm;
import dev.crossgate.admin.AdminKit;
import dev.crossgate.extension.ArtifactCheck;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Uploading a tenant's WebAssembly module to the platform ({@code PUT …/versions/{v}/module}) on
 * PostgreSQL: checked digest, checked imports, the tenant's own key only, and the version's
 * placement read back.
 */
class ExtensionModuleEndpointTest {
  /** A WASI command that writes to stdout: allowed. */
  private static final byte[] STDOUT_MODULE =
      Wat2Wasm.parse(
          """
          (module
            (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
            (memory (export "memory") 1)
            (func (export "_start")))
          """);

  /** A module that opens files: refused. */
  private static final byte[] PATH_OPEN_MODULE =
      Wat2Wasm.parse(
          """
          (module
            (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
            (import "wasi_snapshot_preview1" "path_open"
              (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
            (import "wasi_snapshot_preview1" "sock_accept" (func (param i32 i32 i32) (result i32)))
            (memory (export "memory") 1)
            (func (export "_start")))
          """);

  private static final String NO_ENDPOINT =
      "{\"point\":\"request\",\"timeoutMs\":500,\"versions\":[{\"version\":\"v1\",\"weight\":1},"
          + "{\"version\":\"v2\",\"weight\":0}]}";

  private static AdminKit kit;
  private static String acmeKey;
  private static String globexKey;

  @BeforeAll
  static void start() throws Exception {
    // PostgreSQL: the module is a BYTEA column there (H2 runs it in the app tests)
    kit = AdminKit.start("postgres");
    acmeKey = kit.tenantWithKey("acme");
    globexKey = kit.tenantWithKey("globex");
  }

  @AfterAll
  static void stop() throws Exception {
    kit.close();
  }

  @Test
  void aTenantUploadsAModuleForAnExtensionWithoutEndpointAndTheVersionRunsOnThePlatform()
      throws Exception {
    assertThat(
            call("PUT", "/admin/tenants/acme/extensions/hello", acmeKey, json(NO_ENDPOINT))
                .status())
        .isEqualTo(200);

    var upload =
        call(
            "PUT",
            "/admin/tenants/acme/extensions/hello/versions/v1/module",
            acmeKey,
            module(STDOUT_MODULE, digest(STDOUT_MODULE)));
    var placement = call("GET", "/admin/tenants/acme/extensions/hello/versions/v1", acmeKey, null);
    var notUploaded =
        call("GET", "/admin/tenants/acme/extensions/hello/versions/v2", acmeKey, null);
    var registered = kit.get("/admin/tenants/acme/extensions/hello");

    assertThat(upload.status()).as(upload.body()).isEqualTo(200);
    var sha256 = ArtifactCheck.sha256(STDOUT_MODULE);
    assertThat(placement.json().path("runsOn").asText()).isEqualTo("platform");
    assertThat(placement.json().path("sha256").asText()).isEqualTo(sha256);
    assertThat(placement.json().path("sizeBytes").asInt()).isEqualTo(STDOUT_MODULE.length);
    assertThat(placement.json().has("url")).isFalse();
    assertThat(notUploaded.json().path("runsOn").asText()).isEqualTo("tenant");
    assertThat(registered.json().path("versions").get(0).path("artifact").path("sha256").asText())
        .isEqualTo(sha256);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                kit.controlPlane()
                        .follower()
                        .get()
                        .extensions()
                        .find("acme", "hello")
                        .version("v1")
                        .artifact()
                    != null);
    assertThat(kit.controlPlane().modules().module(sha256)).hasValue(STDOUT_MODULE);
  }

  @Test
  void aModuleImportingFileOrSocketFunctionsIsRefusedNamingEachImport() throws Exception {
    kit.put("/admin/tenants/acme/extensions/files", NO_ENDPOINT);

    var reply =
        call(
            "PUT",
            "/admin/tenants/acme/extensions/files/versions/v1/module",
            acmeKey,
            module(PATH_OPEN_MODULE, digest(PATH_OPEN_MODULE)));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.header("content-type")).isEqualTo("application/problem+json");
    assertThat(reply.errorFields()).containsExactly("imports[1]", "imports[2]");
    assertThat(reply.json().path("errors").get(0).path("message").asText())
        .startsWith("wasi_snapshot_preview1.path_open is not allowed");
    assertThat(reply.json().path("errors").get(1).path("message").asText())
        .startsWith("wasi_snapshot_preview1.sock_accept is not allowed");
    assertThat(kit.controlPlane().modules().module(ArtifactCheck.sha256(PATH_OPEN_MODULE)))
        .isEmpty();
    assertThat(kit.get("/admin/tenants/acme/extensions/files/versions/v1").json().has("sha256"))
        .isFalse();
  }

  @Test
  void aWrongOrMissingContentDigestIsRefused() throws Exception {
    kit.put("/admin/tenants/acme/extensions/digests", NO_ENDPOINT);
    var path = "/admin/tenants/acme/extensions/digests/versions/v1/module";

    var wrong = call("PUT", path, acmeKey, module(STDOUT_MODULE, digest(PATH_OPEN_MODULE)));
    var missing = call("PUT", path, acmeKey, module(STDOUT_MODULE, null));
    var notWasm =
        call("PUT", path, acmeKey, module("hello".getBytes(), digest("hello".getBytes())));

    assertThat(wrong.status()).isEqualTo(400);
    assertThat(wrong.errorFields()).containsExactly("Content-Digest");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.problemType()).isEqualTo("digest-required");
    assertThat(notWasm.status()).isEqualTo(400);
    assertThat(notWasm.errorFields()).containsExactly("module");
    assertThat(kit.get(path.replace("/module", "")).json().has("sha256")).isFalse();
  }

  @Test
  void anotherTenantsKeyCannotUploadNorNameAModuleItDidNotUpload() throws Exception {
    kit.put("/admin/tenants/acme/extensions/target", NO_ENDPOINT);

    var upload =
        call(
            "PUT",
            "/admin/tenants/acme/extensions/target/versions/v1/module",
            globexKey,
            module(STDOUT_MODULE, digest(STDOUT_MODULE)));
    var placement =
        call("GET", "/admin/tenants/acme/extensions/target/versions/v1", globexKey, null);
    // acme's module digest named in globex's own extension, without globex having uploaded it
    var borrowed =
        call(
            "PUT",
            "/admin/tenants/globex/extensions/borrowed",
            globexKey,
            json(
                "{\"point\":\"request\",\"versions\":[{\"version\":\"v1\",\"weight\":1,"
                    + "\"artifact\":{\"sha256\":\""
                    + ArtifactCheck.sha256(STDOUT_MODULE)
                    + "\"}}]}"));

    assertThat(upload.status()).isEqualTo(403);
    assertThat(upload.header("content-type")).isEqualTo("application/problem+json");
    assertThat(placement.status()).isEqualTo(403);
    assertThat(borrowed.status()).isEqualTo(400);
    assertThat(borrowed.errorFields()).containsExactly("versions[0].artifact.sha256");
    assertThat(kit.get("/admin/tenants/acme/extensions/target/versions/v1").json().has("sha256"))
        .isFalse();
    assertThat(kit.get("/admin/tenants/globex/extensions/borrowed").status()).isEqualTo(404);
  }

  @Test
  void anUploadForAnUnknownVersionIsNotFoundAndStoresNothing() throws Exception {
    kit.put("/admin/tenants/acme/extensions/versions", NO_ENDPOINT);

    var reply =
        call(
            "PUT",
            "/admin/tenants/acme/extensions/versions/versions/v9/module",
            acmeKey,
            module(PATH_OPEN_MODULE, digest(PATH_OPEN_MODULE)));

    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.header("content-type")).isEqualTo("application/problem+json");
  }

  // ---- requests

  private record Body(byte[] bytes, String contentType, String digest) {}

  private static Body json(String json) {
    return new Body(json.getBytes(), "application/json", null);
  }

  private static Body module(byte[] module, String digest) {
    return new Body(module, "application/wasm", digest);
  }

  private static String digest(byte[] bytes) throws Exception {
    return "sha-256=:"
        + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes))
        + ":";
  }

  private static AdminKit.Reply call(String method, String path, String key, Body body)
      throws Exception {
    if (body == null) {
      return kit.asTenant(method, path, key, null, null);
    }
    return body.digest() == null
        ? kit.asTenant(method, path, key, body.contentType(), body.bytes())
        : kit.asTenant(
            method, path, key, body.contentType(), body.bytes(), "Content-Digest", body.digest());
  }
}
