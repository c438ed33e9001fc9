package dev.crossgate.admin.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.admin.AdminKit;
import dev.crossgate.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Attacks on the Admin API with a tenant's API key. The key may manage its own tenant's extension
 * registry and nothing else: no dot segment, encoded dot, empty segment or parameter spelling of a
 * path gets it further, and it never counts as an admin or viewer token. Requests are written on a
 * raw socket, because HTTP clients normalise exactly these paths away.
 */
class TenantKeyEscalationTest {
  private static AdminKit kit;
  private static String acmeKey;

  @BeforeAll
  static void start() throws Exception {
    kit = AdminKit.start("h2");
    acmeKey = kit.tenantWithKey("acme");
    kit.tenantWithKey("beta");
  }

  @AfterAll
  static void stop() throws Exception {
    kit.close();
  }

  @ParameterizedTest(name = "{0} {1} with {2}")
  @CsvSource({
    "PUT, /admin/tenants/beta/extensions/.., X-Api-Key",
    "PUT, /admin/tenants/beta/extensions/%2e%2e, X-Api-Key",
    "PUT, /admin/tenants/beta/extensions/%2E%2E, Bearer",
    "GET, /admin/tenants/./extensions/.., X-Api-Key",
    "GET, /admin/tenants/acme/extensions/../../beta/extensions, X-Api-Key",
    "GET, /admin/tenants/acme/extensions/../../../tokens, Bearer",
    "GET, /admin/tenants/acme//extensions, X-Api-Key",
    "GET, /admin/tenants/acme/extensions/..;/..;/..;/tokens, X-Api-Key",
    "GET, /admin/tenants/acme/extensions;x=1, X-Api-Key"
  })
  void aPathNotInNormalFormIsRefusedBeforeAnyoneIsAuthorised(
      String method, String path, String scheme) throws Exception {
    var before = revision();

    var reply =
        raw(
            method,
            path,
            credential(scheme),
            method.equals("PUT") ? "{\"name\":\"x\",\"enabled\":false}" : null);

    assertThat(reply.status).isEqualTo(400);
    assertThat(reply.contentType).startsWith("application/problem+json");
    assertThat(reply.json.path("type").asText()).endsWith("/bad-request");
    assertThat(reply.body).doesNotContain("\"items\"").doesNotContain("cga_");
    assertThat(revision()).isEqualTo(before);
  }

  @ParameterizedTest(name = "{0} {1} with {2}")
  @CsvSource({
    "GET, /admin/tenants/beta/extensions, X-Api-Key",
    "PUT, /admin/tenants/beta/extensions/stolen, Bearer",
    "GET, /admin/tenants/beta/issuers, X-Api-Key",
    "PUT, /admin/tenants/beta/issuers/stolen, Bearer",
    "DELETE, /admin/tenants/beta/issuers/main, X-Api-Key",
    "GET, /admin/tenants, X-Api-Key",
    "GET, /admin/tokens, Bearer",
    "POST, /admin/tokens, X-Api-Key",
    "GET, /admin/whoami, Bearer",
    "POST, /admin/routes, X-Api-Key",
    "PUT, /admin/tenants/acme, Bearer",
    "POST, /admin/tenants/acme/keys, X-Api-Key"
  })
  void aTenantKeyIsNeverAnOperatorAndNeverReachesAnotherTenant(
      String method, String path, String scheme) throws Exception {
    var before = revision();

    var reply =
        raw(
            method,
            path,
            credential(scheme),
            method.equals("GET") ? null : "{\"name\":\"x\",\"role\":\"ADMIN\"}");

    assertThat(reply.status).isEqualTo(403);
    assertThat(reply.json.path("type").asText()).endsWith("/forbidden");
    assertThat(reply.body)
        .doesNotContain("\"items\"")
        .doesNotContain("cga_")
        .doesNotContain("\"key\"");
    assertThat(revision()).isEqualTo(before);
  }

  @Test
  void aTenantKeyStillManagesItsOwnRegistryWithEitherHeader() throws Exception {
    var byHeader = raw("GET", "/admin/tenants/acme/extensions", "X-Api-Key: " + acmeKey, null);
    var byBearer =
        raw("GET", "/admin/tenants/acme/extensions", "Authorization: Bearer " + acmeKey, null);

    assertThat(byHeader.status).isEqualTo(200);
    assertThat(byBearer.status).isEqualTo(200);
  }

  @Test
  void aDisabledTenantsKeyIsRefusedOnItsOwnRegistry() throws Exception {
    var key = kit.tenantWithKey("gamma");

    assertThat(kit.put("/admin/tenants/gamma", "{\"name\":\"gamma\",\"enabled\":false}").status())
        .isEqualTo(200);

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                raw("GET", "/admin/tenants/gamma/extensions", "X-Api-Key: " + key, null).status
                    == 403);
    var refused = raw("GET", "/admin/tenants/gamma/extensions", "X-Api-Key: " + key, null);
    assertThat(refused.json.path("type").asText()).endsWith("/tenant-disabled");
    assertThat(kit.put("/admin/tenants/gamma", "{\"name\":\"gamma\",\"enabled\":true}").status())
        .isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                raw("GET", "/admin/tenants/gamma/extensions", "X-Api-Key: " + key, null).status
                    == 200);
  }

  @Test
  void anOperatorPathWithDotSegmentsIsRefusedEvenWithTheAdminToken() throws Exception {
    var reply =
        raw(
            "GET",
            "/admin/routes/../tokens",
            "Authorization: Bearer " + AdminKit.ADMIN_TOKEN,
            null);

    assertThat(reply.status).isEqualTo(400);
  }

  private static String credential(String scheme) {
    return scheme.equals("Bearer") ? "Authorization: Bearer " + acmeKey : "X-Api-Key: " + acmeKey;
  }

  private static long revision() throws Exception {
    return kit.get("/readyz").json().path("revision").asLong();
  }

  record RawReply(int status, String contentType, String body, JsonNode json) {}

  /**
   * One HTTP/1.1 request written byte for byte, so the path reaches the server as the attacker
   * spelt it.
   */
  static RawReply raw(String method, String path, String credentialHeader, String json)
      throws IOException {
    try (var socket = new Socket("127.0.0.1", kit.controlPlane().port())) {
      socket.setSoTimeout(20_000);
      var body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
      var head =
          method
              + " "
              + path
              + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
              + credentialHeader
              + "\r\n"
              + (json == null ? "" : "Content-Type: application/json\r\n")
              + "Content-Length: "
              + body.length
              + "\r\n\r\n";
      var out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      var buffer = new ByteArrayOutputStream();
      socket.getInputStream().transferTo(buffer);
      var text = buffer.toString(StandardCharsets.UTF_8);
      int split = text.indexOf("\r\n\r\n");
      var headers = text.substring(0, split);
      var content = text.substring(split + 4);
      int status = Integer.parseInt(headers.substring(9, 12));
      String contentType =
          headers
              .lines()
              .filter(l -> l.toLowerCase().startsWith("content-type:"))
              .map(l -> l.substring(13).trim())
              .findFirst()
              .orElse("");
      if (headers.toLowerCase().contains("transfer-encoding: chunked")) {
        content = dechunk(content);
      }
      JsonNode parsed = null;
      try {
        parsed = content.isEmpty() ? Json.mapper().missingNode() : Json.mapper().readTree(content);
      } catch (IOException notJson) {
        parsed = Json.mapper().missingNode();
      }
      return new RawReply(status, contentType, content, parsed);
    }
  }

  private static String dechunk(String chunked) {
    var out = new StringBuilder();
    int i = 0;
    while (i < chunked.length()) {
      int eol = chunked.indexOf("\r\n", i);
      int size = Integer.parseInt(chunked.substring(i, eol).trim(), 16);
      if (size == 0) {
        break;
      }
      out.append(chunked, eol + 2, eol + 2 + size);
      i = eol + 2 + size + 2;
    }
    return out.toString();
  }
}
