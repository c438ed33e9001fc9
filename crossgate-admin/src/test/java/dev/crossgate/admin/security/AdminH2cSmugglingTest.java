package dev.crossgate.admin.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.admin.AdminKit;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * h2c smuggling: a proxy in front of the admin port that passes {@code Upgrade: h2c} on would let a
 * client open an HTTP/2 connection straight to the Admin API, past what the proxy checks per
 * request. Cleartext HTTP/2 is off unless {@code --h2c} asks for it.
 */
class AdminH2cSmugglingTest {
  private static AdminKit kit;

  @BeforeAll
  static void start() throws Exception {
    kit = AdminKit.start("h2");
  }

  @AfterAll
  static void stop() throws Exception {
    kit.close();
  }

  @Test
  void anH2cUpgradeIsNotAcceptedAndTheRequestIsAnsweredOverHttp11() throws Exception {
    var head =
        exchange(
            "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\nConnection: close\r\n\r\n");

    assertThat(head).startsWith("HTTP/1.1 200").doesNotContain("101 Switching Protocols");
  }

  @Test
  void anHttp2PriorKnowledgePrefaceIsNotAccepted() throws Exception {
    var head = exchange("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

    // an HTTP/2 server would answer with a binary SETTINGS frame; this is an HTTP/1 error status
    // line
    assertThat(head).matches("HTTP/\\S+ [45]\\d\\d .*");
  }

  /** Writes {@code request} raw and returns the first line of what the server sends back. */
  private static String exchange(String request) throws Exception {
    try (var socket = new Socket(InetAddress.getLoopbackAddress(), kit.controlPlane().port())) {
      socket.setSoTimeout(20_000); // a safety net for a hung server, not a synchronisation
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      var in = socket.getInputStream();
      var line = new ByteArrayOutputStream();
      for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
        line.write(c);
      }
      return line.toString(StandardCharsets.ISO_8859_1).strip();
    }
  }
}
