package dev.crossgate.gateway.security;

import static dev.crossgate.gateway.security.NodeAdminAbsoluteFormTest.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.kit.NodeAdminKit;
import dev.crossgate.gateway.kit.RawHttp;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Spellings of a path that the control plane (or anything behind it) could read as another resource
 * than the node checked: refused at the node, never forwarded. And what an honest request looks
 * like on arrival: the configured control plane, the path and query as sent, the caller's
 * credentials of either kind, the node's request id.
 */
class NodeAdminPathSpellingTest {
  @TempDir Path dataDir;
  private NodeAdminKit kit;

  @BeforeEach
  void start() {
    kit = new NodeAdminKit(dataDir);
  }

  @AfterEach
  void close() {
    kit.close();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/admin/routes/../tokens",
        "/admin/./routes",
        "/admin/%2e%2e/tokens",
        "/admin/%2E/routes",
        "//admin/routes",
        "/admin//routes",
        "/admin/..;/tokens",
        "/admin/routes;x=1",
        "/admin/%7Eroutes",
        "/healthz/../admin/tokens",
        "/admin/routes#x"
      })
  void aPathNotInNormalFormIsRefusedAndNothingIsForwarded(String path) {
    var response =
        RawHttp.send(
            kit.port(),
            "GET " + path + " HTTP/1.1",
            "Host: 127.0.0.1",
            "Authorization: Bearer cga_token",
            "Connection: close");

    assertRefused(response, 400, "bad-request");
    assertThat(kit.controlPlane.receivedNothing()).isTrue();
  }

  @Test
  void
      anOriginFormRequestReachesTheConfiguredControlPlaneWithBothKindsOfCredentialAndTheSameRequestId() {
    var response =
        RawHttp.sendWithBody(
            kit.port(),
            "{}",
            "PUT /admin/tenants/acme/extensions/order.validate?dryRun=true HTTP/1.1",
            "Host: 127.0.0.1:" + kit.victim.port(),
            "Authorization: Bearer cga_token",
            "X-Api-Key: cgk_tenant-key",
            "X-Forwarded-Host: 127.0.0.1:" + kit.victim.port(),
            "Content-Type: application/json",
            "Content-Length: 2",
            "Connection: close");

    assertThat(response.status()).isEqualTo(200);
    var received = kit.controlPlane.next();
    assertThat(received.method()).isEqualTo("PUT");
    assertThat(received.uri())
        .isEqualTo("/admin/tenants/acme/extensions/order.validate?dryRun=true");
    assertThat(received.headers().get("Authorization")).isEqualTo("Bearer cga_token");
    assertThat(received.headers().get("X-Api-Key")).isEqualTo("cgk_tenant-key");
    assertThat(received.headers().get("Host")).isEqualTo("127.0.0.1:" + kit.controlPlane.port());
    assertThat(received.headers().get("X-Forwarded-Host")).isNull();
    assertThat(received.body()).isEqualTo("{}");
    assertThat(received.headers().get("X-Request-Id"))
        .isNotBlank()
        .isEqualTo(response.header("X-Request-Id"));
    assertThat(kit.victim.receivedNothing()).isTrue();
  }
}
