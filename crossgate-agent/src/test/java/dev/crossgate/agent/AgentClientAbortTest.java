package dev.crossgate.agent;

import static dev.crossgate.agent.kit.Futures.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crossgate.agent.kit.TestAgents;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A caller that hangs up while the agent streams the gateway's answer to it: the agent lets go of
 * the gateway's answer (the gateway sees its connection close) and writes nothing more to the
 * caller — no problem answer on a response already under way, so no "Response has already been
 * written" reaches Vert.x as an unhandled exception — and goes on serving. And the other way: a
 * gateway that cuts a small answer short gives the caller a problem, never a truncated 200, and one
 * that goes silent gives a 504 problem after the agent's gateway timeout instead of a caller left
 * waiting.
 */
class AgentClientAbortTest {
  private static final String DECLARATIONS =
      "{\"markers\":{\"sync\":\"/sync\",\"async\":\"/async\"},\"interfaces\":["
          + "{\"id\":\"feed\",\"sourcePath\":\"/feed\",\"requestPath\":\"/sync/feed\","
          + "\"mode\":\"SYNC\",\"params\":[]},"
          + "{\"id\":\"ping\",\"sourcePath\":\"/ping\",\"requestPath\":\"/sync/ping\","
          + "\"mode\":\"SYNC\",\"params\":[]},"
          + "{\"id\":\"cut\",\"sourcePath\":\"/cut\",\"requestPath\":\"/sync/cut\","
          + "\"mode\":\"SYNC\",\"params\":[]},"
          + "{\"id\":\"mute\",\"sourcePath\":\"/mute\",\"requestPath\":\"/sync/mute\","
          + "\"mode\":\"SYNC\",\"params\":[]},"
          + "{\"id\":\"stall\",\"sourcePath\":\"/stall\",\"requestPath\":\"/sync/stall\","
          + "\"mode\":\"SYNC\",\"params\":[]}]}";

  // short, so that the silent-gateway cases end soon; the others answer at once
  private static final Duration GATEWAY_TIMEOUT = Duration.ofMillis(500);

  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();
  private final List<Throwable> unhandled = new CopyOnWriteArrayList<>();
  private final AtomicBoolean gatewayAnswerClosed = new AtomicBoolean();
  private HttpServer gateway;
  private Agent agent;

  @BeforeEach
  void start() {
    vertx.exceptionHandler(unhandled::add);
    gateway =
        join(
            vertx
                .createHttpServer()
                .requestHandler(
                    request -> {
                      HttpServerResponse response = request.response();
                      switch (request.path()) {
                        case "/_interfaces" ->
                            response
                                .putHeader("Content-Type", "application/json")
                                .end(DECLARATIONS);
                        case "/sync/feed" -> {
                          // the head and a first piece now, the rest never: a long stream
                          response.closeHandler(v -> gatewayAnswerClosed.set(true));
                          response.setChunked(true).write("first piece\n");
                        }
                        case "/sync/ping" ->
                            response.putHeader("X-Answer", "from the gateway").end("pong");
                        case "/sync/cut" -> {
                          // declares 100 bytes, sends 9, then drops the connection
                          response
                              .putHeader("Content-Length", "100")
                              .putHeader("X-Answer", "cut")
                              .write("only part");
                          request.connection().close();
                        }
                        case "/sync/mute" -> {
                          // never answers
                        }
                        case "/sync/stall" ->
                            // declares 100 bytes, sends 9, then nothing
                            response
                                .putHeader("Content-Length", "100")
                                .putHeader("X-Answer", "stalled")
                                .write("only part");
                        default -> response.setStatusCode(404).end();
                      }
                    })
                .listen(0, "127.0.0.1"));
    agent = TestAgents.start(vertx, gateway.actualPort(), dir, GATEWAY_TIMEOUT);
  }

  @AfterEach
  void stop() {
    join(agent.close());
    join(vertx.close());
  }

  @Test
  void aCallerHangingUpMidAnswerReleasesTheGatewayAndLeavesNothingUnhandled() throws Exception {
    try (var caller = new Socket("127.0.0.1", agent.port())) {
      caller.setSoTimeout(10_000);
      send(caller.getOutputStream(), "/feed");
      assertThat(readUntil(caller.getInputStream(), "first piece")).startsWith("HTTP/1.1 200");
    }

    await().atMost(Duration.ofSeconds(10)).untilTrue(gatewayAnswerClosed);
    try (var next = new Socket("127.0.0.1", agent.port())) {
      next.setSoTimeout(10_000);
      send(next.getOutputStream(), "/ping");
      assertThat(readUntil(next.getInputStream(), "pong")).startsWith("HTTP/1.1 200");
    }
    assertThat(unhandled).isEmpty();
  }

  @Test
  void aSmallAnswerComesWholeWithItsHeadersAndOneCutShortIsABadGatewayProblem() throws Exception {
    try (var caller = new Socket("127.0.0.1", agent.port())) {
      caller.setSoTimeout(10_000);
      send(caller.getOutputStream(), "/ping");
      var whole = readUntil(caller.getInputStream(), "pong");
      assertThat(whole).startsWith("HTTP/1.1 200").contains("X-Answer: from the gateway");
      assertThat(whole).containsIgnoringCase("content-length: 4");

      send(caller.getOutputStream(), "/cut");
      var cut = readUntil(caller.getInputStream(), "}");
      assertThat(cut).startsWith("HTTP/1.1 502").contains("application/problem+json");
      assertThat(cut).doesNotContain("X-Answer").doesNotContain("only part");
    }
    assertThat(unhandled).isEmpty();
  }

  @Test
  void aSilentGatewayIsAGatewayTimeoutProblemBeforeTheHeadAndInsideASmallAnswer() throws Exception {
    try (var caller = new Socket("127.0.0.1", agent.port())) {
      caller.setSoTimeout(10_000);
      send(caller.getOutputStream(), "/mute");
      var mute = readUntil(caller.getInputStream(), "}");
      assertThat(mute).startsWith("HTTP/1.1 504").contains("application/problem+json");
      assertThat(mute).contains("problems/gateway-timeout\"").contains("500 ms");

      send(caller.getOutputStream(), "/stall");
      var stalled = readUntil(caller.getInputStream(), "}");
      assertThat(stalled).startsWith("HTTP/1.1 504").contains("application/problem+json");
      assertThat(stalled).doesNotContain("X-Answer").doesNotContain("only part");

      // and the agent still serves
      send(caller.getOutputStream(), "/ping");
      assertThat(readUntil(caller.getInputStream(), "pong")).startsWith("HTTP/1.1 200");
    }
    // a streamed answer whose status is already out: the caller's connection is closed, not left
    // waiting (readUntil stops at the end of the stream; the socket timeout would fail the test)
    try (var streamed = new Socket("127.0.0.1", agent.port())) {
      streamed.setSoTimeout(10_000);
      send(streamed.getOutputStream(), "/feed");
      var cut = readUntil(streamed.getInputStream(), "never sent");
      assertThat(cut).startsWith("HTTP/1.1 200").contains("first piece");
      assertThat(cut).doesNotContain("never").doesNotContain("\r\n0\r\n\r\n"); // no last chunk
    }
    assertThat(unhandled).isEmpty();
  }

  private static void send(OutputStream out, String path) throws IOException {
    out.write(
        ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** What arrives until {@code marker} has been read (or the stream ends). */
  private static String readUntil(InputStream in, String marker) throws IOException {
    var seen = new StringBuilder();
    var buffer = new byte[4096];
    while (seen.indexOf(marker) < 0) {
      int n = in.read(buffer);
      if (n < 0) {
        break;
      }
      seen.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
    }
    return seen.toString();
  }
}
