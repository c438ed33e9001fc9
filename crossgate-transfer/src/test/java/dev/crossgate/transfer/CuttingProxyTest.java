package dev.crossgate.transfer;

import static dev.crossgate.transfer.Harness.ACME_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test kit itself: an unarmed proxy must not break connections on its own. */
class CuttingProxyTest {
  @TempDir Path dir;

  /**
   * Garbage collections between requests on one keep-alive connection leave it open. The proxy once
   * dropped its reference to each upstream client, and Vert.x 5.2 closes the sockets of a collected
   * client, so the interruption tests saw cuts nobody had armed.
   */
  @Test
  void anUnarmedProxyKeepsAKeepAliveConnectionAcrossGarbageCollections() throws Exception {
    try (var gateway = Harness.h2(dir);
        var proxy = new CuttingProxy(gateway.port());
        var socket = new Socket("127.0.0.1", proxy.port())) {
      socket.setSoTimeout(10_000);
      for (int i = 0; i < 10; i++) {
        System.gc();
        socket
            .getOutputStream()
            .write(
                ("GET /_transfers/tx_absent HTTP/1.1\r\nHost: x\r\nX-Api-Key: "
                        + ACME_KEY
                        + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));

        assertThat(readResponseHead(socket.getInputStream()))
            .as("response %d", i)
            .startsWith("HTTP/1.1 404");
      }
      assertThat(proxy.cuts()).isZero();
    }
  }

  /** Reads one response with a Content-Length body; returns its head. */
  private static String readResponseHead(InputStream in) throws IOException {
    var head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException(
            "the connection was closed after " + head.size() + " bytes of the response head");
      }
      head.write(b);
    }
    var text = head.toString(StandardCharsets.ISO_8859_1);
    long length =
        text.lines()
            .map(l -> l.toLowerCase(Locale.ROOT))
            .filter(l -> l.startsWith("content-length:"))
            .mapToLong(l -> Long.parseLong(l.substring("content-length:".length()).trim()))
            .findFirst()
            .orElse(0);
    if (in.readNBytes((int) length).length != length) {
      throw new IOException("the connection was closed inside the response body");
    }
    return text;
  }
}
