package dev.crossgate.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.kit.NodeAdminKit;
import dev.crossgate.gateway.kit.RawHttp;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's admin port used as a forward proxy: a request target naming another host must not carry
 * the caller's credentials there (issue 12, section 2). The victim is a live listener that records
 * every request, so "nothing leaked" is observed rather than assumed.
 */
class NodeAdminAbsoluteFormTest {
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

  @Test
  void anAbsoluteFormTargetIsRefusedAndTheAddressItNamesReceivesNothing() {
    var response =
        RawHttp.send(
            kit.port(),
            "GET http://127.0.0.1:" + kit.victim.port() + "/admin/steal HTTP/1.1",
            "Host: 127.0.0.1:" + kit.port(),
            "Authorization: Bearer cga_the-operators-token",
            "Connection: close");

    assertRefused(response, 400, "bad-request");
    assertThat(response.json().get("detail").toString()).contains("origin-form");
    assertThat(kit.victim.receivedNothing()).isTrue();
    assertThat(kit.controlPlane.receivedNothing()).isTrue();
  }

  @Test
  void anAbsoluteFormTargetNamingTheControlPlaneItselfIsRefusedToo() {
    var response =
        RawHttp.send(
            kit.port(),
            "GET " + kit.controlPlane.url("/admin/routes") + " HTTP/1.1",
            "Host: 127.0.0.1:" + kit.port(),
            "Connection: close");

    assertRefused(response, 400, "bad-request");
    assertThat(kit.controlPlane.receivedNothing()).isTrue();
  }

  @Test
  void anAuthorityFormConnectIsRefusedAndNoTunnelIsOpened() {
    var response =
        RawHttp.send(
            kit.port(),
            "CONNECT 127.0.0.1:" + kit.victim.port() + " HTTP/1.1",
            "Host: 127.0.0.1:" + kit.victim.port(),
            "Authorization: Bearer cga_the-operators-token",
            "Connection: close");

    assertRefused(response, 400, "bad-request");
    assertThat(kit.victim.receivedNothing()).isTrue();
  }

  @Test
  void anAsteriskFormTargetIsRefused() {
    var response =
        RawHttp.send(kit.port(), "OPTIONS * HTTP/1.1", "Host: 127.0.0.1", "Connection: close");

    assertRefused(response, 400, "bad-request");
    assertThat(kit.controlPlane.receivedNothing()).isTrue();
  }

  /**
   * Status, problem type, problem+json, and the request id both as a member, in instance and as a
   * header.
   */
  static void assertRefused(RawHttp.Response response, int status, String problemType) {
    assertThat(response.status()).isEqualTo(status);
    assertThat(response.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(response.problemType()).isEqualTo(problemType);
    var requestId = response.header("X-Request-Id");
    assertThat(requestId).isNotBlank();
    assertThat(response.json())
        .containsEntry("requestId", requestId)
        .containsEntry("instance", "urn:crossgate:request:" + requestId)
        .containsEntry("status", status);
  }
}
