package dev.crossgate.admin.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.admin.AdminKit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Attacks that make the Admin API hold bodies it will refuse: a request declares a body of
 * megabytes and sends a few bytes of it. The caller is checked before the body is read, so the
 * refusal comes at once — the server neither waits for nor buffers the rest — says {@code
 * Connection: close}, and the connection closes after a short linger (what the client still sends
 * is dropped). Were the body read first, no answer would come until the whole declared body had
 * arrived.
 */
class AdminBodyBeforeAuthTest {
  private static final int DECLARED = 4 * 1024 * 1024;
  private static AdminKit kit;
  private static String betaKey;

  @BeforeAll
  static void start() throws Exception {
    kit = AdminKit.start("h2");
    kit.tenantWithKey("acme");
    betaKey = kit.tenantWithKey("beta");
  }

  @AfterAll
  static void stop() throws Exception {
    kit.close();
  }

  @Test
  void aModuleUploadWithoutCredentialsIsRefusedBeforeItsBodyIsRead() throws Exception {
    var reply = partialUpload("/admin/tenants/acme/extensions/x/versions/v1/module", null);

    assertThat(reply).startsWith("HTTP/1.1 401");
    assertThat(reply.toLowerCase()).contains("content-type: application/problem+json");
    assertThat(reply.toLowerCase()).contains("connection: close");
  }

  @Test
  void anotherTenantsKeyIsRefusedBeforeItsBodyIsRead() throws Exception {
    var reply =
        partialUpload(
            "/admin/tenants/acme/extensions/x/versions/v1/module", "X-Api-Key: " + betaKey);

    assertThat(reply).startsWith("HTTP/1.1 403");
    assertThat(reply).contains("may only manage that tenant's extensions");
    assertThat(reply.toLowerCase()).contains("connection: close");
  }

  @Test
  void aJsonWriteWithAWrongTokenIsRefusedBeforeItsBodyIsRead() throws Exception {
    var reply = partialUpload("/admin/routes", "Authorization: Bearer cga_not-a-token");

    assertThat(reply).startsWith("HTTP/1.1 401");
    assertThat(reply).contains("neither an admin token nor a tenant API key");
  }

  /**
   * Declares a {@value #DECLARED}-byte body, sends 16 bytes of it and reads until the server closes
   * the connection (the read would block if the server waited for the rest).
   */
  private static String partialUpload(String path, String credentialHeader) throws IOException {
    try (var socket = new Socket("127.0.0.1", kit.controlPlane().port())) {
      socket.setSoTimeout(30_000);
      var request =
          "PUT "
              + path
              + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + (credentialHeader == null ? "" : credentialHeader + "\r\n")
              + "Content-Type: application/wasm\r\nContent-Length: "
              + DECLARED
              + "\r\n\r\n";
      var out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.write(new byte[16]);
      out.flush();
      var in = socket.getInputStream();
      var buffer = new ByteArrayOutputStream();
      int b;
      while (!buffer.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")
          && (b = in.read()) != -1) {
        buffer.write(b);
      }
      var head = buffer.toString(StandardCharsets.ISO_8859_1);
      var length =
          head.lines()
              .filter(l -> l.toLowerCase().startsWith("content-length:"))
              .map(l -> Integer.parseInt(l.substring(15).trim()))
              .findFirst()
              .orElse(0);
      buffer.write(in.readNBytes(length));
      assertThat(in.read()).as("the server closed the connection").isEqualTo(-1);
      return buffer.toString(StandardCharsets.UTF_8);
    }
  }
}
