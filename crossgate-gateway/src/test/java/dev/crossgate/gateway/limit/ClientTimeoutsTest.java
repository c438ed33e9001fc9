package dev.crossgate.gateway.limit;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.kit.GatewayKit;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Slow-header (slowloris) connections are closed at the request-head timeout even though they keep
 * sending bytes, and idle kept-alive connections at the keep-alive timeout, while other clients are
 * served as usual.
 */
class ClientTimeoutsTest {
  private static GatewayOptions options(Duration requestHead, Duration keepAlive) {
    return GatewayOptions.defaults()
        .withEventLoops(1)
        .withLimits(GatewayOptions.Limits.DEFAULT.withClientTimeouts(requestHead, keepAlive));
  }

  @Test
  void aConnectionTricklingItsHeadersIsClosedWithoutAnAnswerWhileOthersAreServed()
      throws Exception {
    try (var kit = GatewayKit.start(options(Duration.ofSeconds(1), Duration.ofSeconds(60)));
        var slow = new Socket("127.0.0.1", kit.port())) {
      kit.routes(route("a", "/a", kit.target("/a")).build());
      OutputStream out = slow.getOutputStream();
      out.write("GET /a HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      var closed = new AtomicBoolean();
      // the attack itself: one header byte after another, never the blank line that ends the head
      var trickler =
          new Thread(
              () -> {
                try {
                  while (!closed.get()) {
                    out.write('X');
                    out.flush();
                    Thread.sleep(100);
                  }
                } catch (IOException | InterruptedException e) {
                  closed.set(true);
                }
              });
      trickler.start();

      var served = kit.get("/a");
      assertThat(served.status()).isEqualTo(200);
      kit.upstream.next();

      slow.setSoTimeout(200);
      var received = new StringBuilder();
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> readUntilClosed(slow.getInputStream(), received));
      closed.set(true);
      trickler.join();
      assertThat(received).as("closed without an answer").isEmpty();
      assertThat(kit.upstream.receivedNothing())
          .as("the slow request never reached the upstream")
          .isTrue();
    }
  }

  @Test
  void anIdleKeptAliveConnectionIsClosedAtTheKeepAliveTimeout() throws Exception {
    try (var kit = GatewayKit.start(options(Duration.ofSeconds(30), Duration.ofSeconds(1)));
        var client = new Socket("127.0.0.1", kit.port())) {
      kit.routes(route("a", "/a", kit.target("/a")).build());
      client
          .getOutputStream()
          .write("GET /a HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      client.setSoTimeout(200);
      var received = new StringBuilder();

      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> readUntilClosed(client.getInputStream(), received));

      assertThat(received.toString()).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void zeroTimeoutsLeaveConnectionsOpen() throws Exception {
    try (var kit = GatewayKit.start(options(Duration.ZERO, Duration.ZERO));
        var client = new Socket("127.0.0.1", kit.port())) {
      kit.routes(route("a", "/a", kit.target("/a")).build());
      client
          .getOutputStream()
          .write("GET /a HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      // a request on another connection runs at least one sweep of this event loop's deadlines
      // before and after the two seconds the slow client is given
      client.setSoTimeout(2_000);
      var served = kit.get("/a");
      assertThat(served.status()).isEqualTo(200);

      assertThat(readUntilClosed(client.getInputStream(), new StringBuilder())).isFalse();
      client.getOutputStream().write("\r\n".getBytes(StandardCharsets.US_ASCII));
      client.setSoTimeout(10_000);
      var answer = new String(client.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
      assertThat(answer).isEqualTo("HTTP/1.1 200");
    }
  }

  /** Reads what is there; true once the server closed the connection. */
  private static boolean readUntilClosed(InputStream in, StringBuilder received)
      throws IOException {
    var buffer = new byte[4096];
    try {
      int n;
      while ((n = in.read(buffer)) > 0) {
        received.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
      }
      return n < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset by the server
    }
  }
}
