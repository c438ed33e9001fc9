package dev.crossgate.gateway.kit;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real upstream on 127.0.0.1 that records what reached it: method, URI, headers and body (the
 * body is counted, and kept only when small). By default it answers 200 with {@code upstream saw
 * URI}; a test replaces {@link #respondWith} for slow, large or broken answers.
 */
public final class RecordingUpstream {
  /** What one request looked like on arrival at the upstream. */
  public record Received(
      String method, String uri, MultiMap headers, long bodyBytes, String body) {}

  private static final int KEEP_BODY_BYTES = 64 * 1024;

  private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final HttpServer server;
  private volatile Handler<HttpServerRequest> behaviour;

  private RecordingUpstream(HttpServer server) {
    this.server = server;
  }

  public static RecordingUpstream start(Vertx vertx) {
    var server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0));
    var upstream = new RecordingUpstream(server);
    upstream.behaviour = upstream::recordAndEcho;
    server.requestHandler(r -> upstream.behaviour.handle(r));
    server.webSocketHandler(
        ws ->
            ws.frameHandler(
                frame -> {
                  if (frame.isText()) {
                    ws.writeTextMessage("echo:" + frame.textData() + " path=" + ws.path());
                  } else if (frame.isBinary()) {
                    ws.writeBinaryMessage(frame.binaryData());
                  }
                }));
    GatewayKit.await(server.listen());
    return upstream;
  }

  public int port() {
    return server.actualPort();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  public void respondWith(Handler<HttpServerRequest> handler) {
    this.behaviour = handler;
  }

  /** The default behaviour: record the request, then answer 200 {@code upstream saw URI}. */
  public void recordAndEcho(HttpServerRequest request) {
    record(request)
        .onSuccess(
            r ->
                request
                    .response()
                    .putHeader("Content-Type", "text/plain")
                    .end("upstream saw " + r.uri()));
  }

  /** Reads the whole body (counting it) and records the request; completes when the body ended. */
  public Future<Received> record(HttpServerRequest request) {
    var headers = MultiMap.caseInsensitiveMultiMap().addAll(request.headers());
    var kept = Buffer.buffer();
    var count = new long[1];
    request.handler(
        chunk -> {
          count[0] += chunk.length();
          if (kept.length() < KEEP_BODY_BYTES) {
            kept.appendBuffer(chunk);
          }
        });
    var promise = io.vertx.core.Promise.<Received>promise();
    request.endHandler(
        v -> {
          var r =
              new Received(
                  request.method().name(), request.uri(), headers, count[0], kept.toString());
          received.add(r);
          promise.complete(r);
        });
    return promise.future();
  }

  /** The next request the upstream received, waiting up to 10 s. */
  public Received next() {
    try {
      var r = received.poll(10, TimeUnit.SECONDS);
      if (r == null) {
        throw new AssertionError("the upstream received no request");
      }
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** True when no request reached the upstream (checked after the gateway answered). */
  public boolean receivedNothing() {
    return received.isEmpty();
  }

  public void close() {
    GatewayKit.await(server.close());
  }
}
