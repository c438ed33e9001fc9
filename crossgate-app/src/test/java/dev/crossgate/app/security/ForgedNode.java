package dev.crossgate.app.security;

import dev.crossgate.cluster.ClusterMessage;
import dev.crossgate.cluster.NodeCredential;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A hand-made cluster-stream client that says whatever an attacker would: any node id, any token,
 * any message in any order. It records every frame the control plane sends it, so a test can show
 * that nothing leaked.
 */
final class ForgedNode implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final WebSocket ws;
  private final List<String> received;
  private final CompletableFuture<String> closed;

  private ForgedNode(WebSocket ws, List<String> received, CompletableFuture<String> closed) {
    this.ws = ws;
    this.received = received;
    this.closed = closed;
  }

  /**
   * Opens the stream presenting {@code nodeId} and {@code bearer}; fails when the upgrade is
   * refused.
   */
  static ForgedNode connect(URI admin, String nodeId, String bearer) throws Exception {
    var received = new CopyOnWriteArrayList<String>();
    var closed = new CompletableFuture<String>();
    var builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    if (nodeId != null) {
      builder.header(CrossgateHeaders.NODE_ID, nodeId);
    }
    if (bearer != null) {
      builder.header("Authorization", "Bearer " + bearer);
    }
    var ws =
        builder
            .buildAsync(
                URI.create("ws://" + admin.getAuthority() + "/cluster/stream"),
                new WebSocket.Listener() {
                  private final StringBuilder text = new StringBuilder();

                  @Override
                  public CompletionStage<?> onText(
                      WebSocket socket, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                      received.add(text.toString());
                      text.setLength(0);
                    }
                    socket.request(1);
                    return null;
                  }

                  @Override
                  public CompletionStage<?> onClose(WebSocket socket, int status, String reason) {
                    closed.complete(status + " " + reason);
                    return null;
                  }

                  @Override
                  public void onError(WebSocket socket, Throwable error) {
                    closed.complete("error " + error.getMessage());
                  }
                })
            .get(10, TimeUnit.SECONDS);
    return new ForgedNode(ws, received, closed);
  }

  /** The HTTP status the upgrade was refused with; fails when the stream opened. */
  static int refusal(URI admin, String nodeId, String bearer) throws Exception {
    try {
      connect(admin, nodeId, bearer).close();
    } catch (ExecutionException | CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        return refused.getResponse().statusCode();
      }
      throw e;
    }
    throw new AssertionError("the control plane opened the stream for node " + nodeId);
  }

  /** {@code POST /cluster/enrol {nodeId}} with {@code token} as the Bearer token. */
  static HttpResponse<String> enrol(URI admin, String nodeId, String token) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(admin.resolve("/cluster/enrol"))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    Json.write(new NodeCredential.EnrolmentRequest(nodeId))))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A plain GET of the stream with the upgrade's credentials: shows the refusal's problem body. */
  static HttpResponse<String> plainGet(URI admin, String nodeId, String bearer) throws Exception {
    var builder =
        HttpRequest.newBuilder(admin.resolve("/cluster/stream")).timeout(Duration.ofSeconds(10));
    if (nodeId != null) {
      builder.header(CrossgateHeaders.NODE_ID, nodeId);
    }
    if (bearer != null) {
      builder.header("Authorization", "Bearer " + bearer);
    }
    return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Sends {@code message}; false when the control plane had closed the stream already (it closes on
   * the first message it refuses, so whether a later one gets out is a race the test ignores).
   */
  boolean send(ClusterMessage message) throws Exception {
    try {
      ws.sendText(Json.write(message), true).get(10, TimeUnit.SECONDS);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof java.io.IOException) {
        return false;
      }
      throw e;
    }
  }

  /** Every text frame the control plane sent. */
  List<String> received() {
    return List.copyOf(received);
  }

  /** "status reason" once the control plane closed the stream, else null. */
  String closedWith() {
    return closed.getNow(null);
  }

  @Override
  public void close() {
    if (!ws.isOutputClosed()) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
    }
    ws.abort();
  }
}
