package dev.crossgate.agent.kit;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A gateway on loopback for agent tests: it declares an ASYNC interface at {@code /report} and a
 * SYNC one at {@code /query}, accepts every task as {@code tk_1}, reports it DONE at once and
 * serves its result as the real gateway does. It records each call by {@code "METHOD path"}: how
 * many came, and the headers of the last.
 */
public final class FakeGateway {
  private static final String DECLARATIONS =
      "{\"interfaces\":[{\"id\":\"r\",\"sourcePath\":\"/report\",\"requestPath\":\"/async/report\","
          + "\"mode\":\"ASYNC\",\"params\":[]},{\"id\":\"q\",\"sourcePath\":\"/query\","
          + "\"requestPath\":\"/sync/query\",\"mode\":\"SYNC\",\"params\":[]}],"
          + "\"markers\":{\"sync\":\"/sync\",\"async\":\"/async\"}}";

  private final Map<String, MultiMap> lastHeaders = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final HttpServer server;

  private FakeGateway(Vertx vertx) {
    try {
      server =
          vertx
              .createHttpServer()
              .requestHandler(
                  request -> {
                    var path = request.path();
                    var call = request.method().name() + " " + path;
                    lastHeaders.put(call, request.headers());
                    counts.computeIfAbsent(call, k -> new AtomicInteger()).incrementAndGet();
                    var response = request.response().putHeader("Content-Type", "application/json");
                    switch (path) {
                      case "/_interfaces" -> response.end(DECLARATIONS);
                      case "/async/report" ->
                          request
                              .body()
                              .onSuccess(
                                  b -> response.setStatusCode(202).end("{\"taskId\":\"tk_1\"}"));
                      case "/sync/query" -> response.end("{\"rows\":1}");
                      case "/_tasks/tk_1" ->
                          response
                              .setStatusCode(request.method().name().equals("DELETE") ? 204 : 200)
                              .end("{\"status\":\"DONE\"}");
                      // as the real gateway serves a stored result: marked, unlike a problem about
                      // the fetch
                      case "/_tasks/tk_1/result" ->
                          response.putHeader("X-Crossgate-Task-Status", "DONE").end("{\"rows\":3}");
                      default -> response.setStatusCode(404).end();
                    }
                  })
              .listen(0, "127.0.0.1")
              .toCompletionStage()
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the fake gateway did not start", e);
    }
  }

  /** Listens on {@code vertx}; closed with it. */
  public static FakeGateway start(Vertx vertx) {
    return new FakeGateway(vertx);
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** How many times {@code call} ({@code "POST /async/report"}) came. */
  public int count(String call) {
    var count = counts.get(call);
    return count == null ? 0 : count.get();
  }

  /** The headers of the last {@code call}, or null when it never came. */
  public MultiMap headers(String call) {
    return lastHeaders.get(call);
  }
}
