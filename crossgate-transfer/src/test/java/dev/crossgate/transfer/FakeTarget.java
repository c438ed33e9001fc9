package dev.crossgate.transfer;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An upstream that records every delivery it receives (headers and body) and answers 201. */
final class FakeTarget implements AutoCloseable {
  record Delivery(
      String path, String transferId, String reprDigest, String traceparent, Buffer body) {}

  private final Vertx vertx;
  private final HttpServer server;
  private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
  private volatile int status = 201;

  FakeTarget(Vertx vertx) {
    this.vertx = vertx;
    this.server =
        vertx
            .createHttpServer()
            .requestHandler(
                request ->
                    request
                        .body()
                        .onSuccess(
                            body -> {
                              deliveries.add(
                                  new Delivery(
                                      request.path(),
                                      request.getHeader("X-Crossgate-Transfer-Id"),
                                      request.getHeader("Repr-Digest"),
                                      request.getHeader("traceparent"),
                                      body));
                              request.response().setStatusCode(status).end();
                            }));
    Harness.await(server.listen(0, "127.0.0.1"));
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  void answer(int status) {
    this.status = status;
  }

  List<Delivery> deliveries() {
    return deliveries;
  }

  @Override
  public void close() {
    Harness.await(server.close());
    Harness.await(vertx.close());
  }
}
