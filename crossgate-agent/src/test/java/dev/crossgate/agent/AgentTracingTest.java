package dev.crossgate.agent;

import static dev.crossgate.trace.OtlpReceiver.hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.agent.kit.FakeGateway;
import dev.crossgate.egress.EgressPolicy;
import dev.crossgate.trace.OtlpReceiver;
import dev.crossgate.trace.Tracing;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's spans with a real OTLP/HTTP receiver: a fake gateway records the {@code traceparent}
 * of every call the agent makes to it, a loopback callback service the one of the signed delivery.
 */
class AgentTracingTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CALLER = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";

  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http = HttpClient.newHttpClient();

  private final List<MultiMap> atCallback = new CopyOnWriteArrayList<>();
  private FakeGateway gateway;
  private HttpServer callback;
  private OtlpReceiver receiver;
  private Tracing tracing = Tracing.OFF;
  private Agent agent;

  @BeforeEach
  void start() {
    gateway = FakeGateway.start(vertx);
    callback =
        await(
            vertx
                .createHttpServer()
                .requestHandler(
                    request ->
                        request
                            .body()
                            .onSuccess(
                                b -> {
                                  atCallback.add(request.headers());
                                  request.response().setStatusCode(204).end();
                                }))
                .listen(0, "127.0.0.1"));
  }

  private void startAgent(boolean traced) {
    if (traced) {
      receiver = OtlpReceiver.start();
      tracing = Tracing.otlp(receiver.endpoint(), 1.0, "crossgate-agent-test");
    }
    var options =
        AgentOptions.defaults(gateway.url(), "key", dir, "whsec_c2VjcmV0")
            .withListen("127.0.0.1", 0)
            .withCallbackAllow(List.of(hooks()))
            .withPolling(Duration.ofMillis(20), Duration.ofMillis(100), 4)
            .withEgress(EgressPolicy.allowing("127.0.0.1/32"));
    agent = await(Agent.start(vertx, options, null, () -> "", tracing));
  }

  @AfterEach
  void stop() {
    if (agent != null) {
      await(agent.close());
    }
    await(vertx.close());
    if (receiver != null) {
      receiver.close();
    }
  }

  @Test
  void theCallbackCarriesATraceparentThatIsAChildOfTheAgentsSpanInTheCallersTrace()
      throws Exception {
    startAgent(true);

    var reply = post("/report", CALLER);
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> gateway.count("DELETE /_tasks/tk_1") > 0);
    awaitSpans("task accepted", "gateway submit", "gateway result", "callback", "gateway release");

    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(202);
    var accepted = receiver.only("task accepted");
    var delivery = receiver.only("callback");
    assertThat(delivery.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
    assertThat(delivery.getParentSpanId()).isEqualTo(accepted.getSpanId());
    assertThat(hex(delivery.getTraceId())).isEqualTo(TRACE_ID);
    assertThat(atCallback).hasSize(1);
    assertThat(atCallback.get(0).get("traceparent")).isEqualTo(OtlpReceiver.traceparent(delivery));
    assertThat(receiver.serviceNames()).contains("crossgate-agent-test");
    var calls =
        Map.of(
            "gateway submit", "POST /async/report",
            "gateway result", "GET /_tasks/tk_1/result",
            "gateway release", "DELETE /_tasks/tk_1");
    calls.forEach(
        (span, call) -> {
          var sent = receiver.only(span);
          assertThat(sent.getParentSpanId()).as(span).isEqualTo(accepted.getSpanId());
          assertThat(gateway.headers(call).get("traceparent"))
              .as(call)
              .isEqualTo(OtlpReceiver.traceparent(sent));
        });
  }

  @Test
  void aQueryGoesToTheGatewayWithTheAgentsClientSpanAsParent() throws Exception {
    startAgent(true);

    var reply = get("/query", CALLER);
    awaitSpans("GET", "gateway");

    assertThat(reply.statusCode()).isEqualTo(200);
    var server = receiver.only("GET");
    var call = receiver.only("gateway");
    assertThat(hex(server.getParentSpanId())).isEqualTo("00f067aa0ba902b7");
    assertThat(call.getParentSpanId()).isEqualTo(server.getSpanId());
    assertThat(gateway.headers("GET /sync/query").get("traceparent"))
        .isEqualTo(OtlpReceiver.traceparent(call));
  }

  @Test
  void withTracingOffTheAgentInventsNoTraceparentAndPassesTheCallersOnAQuery() throws Exception {
    startAgent(false);

    var query = get("/query", CALLER);
    var task = post("/report", null);
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> atCallback.size() == 1);

    assertThat(query.statusCode()).isEqualTo(200);
    assertThat(task.statusCode()).isEqualTo(202);
    assertThat(gateway.headers("GET /sync/query").get("traceparent")).isEqualTo(CALLER);
    assertThat(gateway.headers("POST /async/report").contains("traceparent")).isFalse();
    assertThat(atCallback.get(0).contains("traceparent")).isFalse();
  }

  /** Waits for spans; a request's server span ends just after its answer, so export again. */
  private void awaitSpans(String... names) {
    Awaitility.await()
        .until(
            () -> {
              tracing.flush();
              return Stream.of(names).allMatch(receiver::has);
            });
  }

  private String hooks() {
    return "http://127.0.0.1:" + callback.actualPort() + "/hooks/";
  }

  private HttpResponse<String> post(String path, String traceparent) throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + path))
            .header("X-Callback-Url", hooks() + "done")
            .header("Content-Type", "application/json");
    if (traceparent != null) {
      request.header("traceparent", traceparent);
    }
    return http.send(
        request.POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path, String traceparent) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + path))
            .header("traceparent", traceparent)
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
