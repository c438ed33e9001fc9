package dev.crossgate.gateway.task;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static dev.crossgate.trace.OtlpReceiver.attribute;
import static dev.crossgate.trace.OtlpReceiver.hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.GatewayServices;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.store.TestDatabases;
import dev.crossgate.trace.OtlpReceiver;
import dev.crossgate.trace.Tracing;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task's spans end to end, on PostgreSQL, with a real OTLP/HTTP receiver: accepted under the
 * request that created the task, the later ones (upstream call, result, collection) in other
 * requests, tied to it by span links through the {@code traceparent} kept in the task's envelope.
 */
class TaskTracingTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CALLER = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";

  @TempDir Path dataDir;
  private TestDatabases.Handle db;
  private GatewayKit kit;
  private OtlpReceiver receiver;
  private Tracing tracing = Tracing.OFF;

  private void start(boolean traced) {
    db = TestDatabases.postgres();
    if (traced) {
      receiver = OtlpReceiver.start();
      tracing = Tracing.otlp(receiver.endpoint(), 1.0, "crossgate-test");
    }
    kit =
        GatewayKit.start(
            GatewayOptions.defaults().withEventLoops(1),
            new GatewayServices(db.database(), TaskOptions.defaults(dataDir)).withTracing(tracing));
  }

  @AfterEach
  void close() {
    if (kit != null) {
      kit.close();
    }
    if (db != null) {
      db.close();
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  @Test
  void aCallbackTasksResultAndCollectionAreLinkedToTheSpanThatAcceptedIt() {
    start(true);
    kit.routes(route("def", "/def", kit.target("/analyse")).async().build());
    var key = kit.apiKey("acme");

    var accepted =
        kit.send(HttpMethod.POST, "/async/def", "{}", "X-Api-Key", key, "traceparent", CALLER);
    var taskId = accepted.json().get("taskId").toString();
    var atUpstream = kit.upstream.next();
    var posted =
        kit.send(
            HttpMethod.POST,
            TaskApiTest.resultPath(atUpstream.headers().get(CrossgateHeaders.RESULT_URL)),
            "done");
    var collected = kit.get("/_tasks/" + taskId + "/result", "X-Api-Key", key);
    var view = kit.get("/_tasks/" + taskId, "X-Api-Key", key);

    assertThat(accepted.status()).isEqualTo(202);
    assertThat(posted.status()).isEqualTo(204);
    assertThat(collected.body()).isEqualTo("done");
    awaitSpans("task accepted", "proxy", "task result", "task collected");
    var acceptedSpan = receiver.only("task accepted");
    var creating = serverSpanOf(acceptedSpan);
    assertThat(hex(creating.getParentSpanId())).isEqualTo("00f067aa0ba902b7");
    assertThat(attribute(acceptedSpan, TaskSpans.TASK_ID)).isEqualTo(taskId);
    assertThat(envelopeOf(view))
        .containsEntry("traceparent", OtlpReceiver.traceparent(acceptedSpan));
    var proxy = receiver.only("proxy");
    assertThat(proxy.getParentSpanId()).isEqualTo(creating.getSpanId());
    assertThat(atUpstream.headers().get("traceparent")).isEqualTo(OtlpReceiver.traceparent(proxy));
    for (var later : Stream.of("task result", "task collected").map(receiver::only).toList()) {
      assertThat(later.getLinksList())
          .as(later.getName() + " links")
          .singleElement()
          .satisfies(
              link -> {
                assertThat(link.getTraceId()).isEqualTo(acceptedSpan.getTraceId());
                assertThat(link.getSpanId()).isEqualTo(acceptedSpan.getSpanId());
              });
      assertThat(attribute(later, TaskSpans.TASK_ID)).isEqualTo(taskId);
      assertThat(serverSpanOf(later).getSpanId()).isNotEqualTo(creating.getSpanId());
    }
  }

  @Test
  void aHeldTasksUpstreamCallIsALinkedClientSpanWhoseTraceparentTheUpstreamGets() {
    start(true);
    kit.routes(route("slow", "/slow", kit.target("/report")).held().build());
    var key = kit.apiKey("acme");

    var accepted =
        kit.send(HttpMethod.POST, "/async/slow", "q", "X-Api-Key", key, "traceparent", CALLER);
    var taskId = accepted.json().get("taskId").toString();
    var atUpstream = kit.upstream.next();
    Awaitility.await()
        .until(
            () -> kit.get("/_tasks/" + taskId, "X-Api-Key", key).json().get("status"),
            "DONE"::equals);
    var collected = kit.get("/_tasks/" + taskId + "/result", "X-Api-Key", key);

    assertThat(collected.status()).isEqualTo(200);
    awaitSpans("task accepted", "task upstream", "task result", "task collected");
    var acceptedSpan = receiver.only("task accepted");
    var upstream = receiver.only("task upstream");
    assertThat(upstream.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
    assertThat(atUpstream.headers().get("traceparent"))
        .isEqualTo(OtlpReceiver.traceparent(upstream));
    for (var later :
        Stream.of("task upstream", "task result", "task collected").map(receiver::only).toList()) {
      assertThat(later.getLinksList())
          .as(later.getName() + " links")
          .singleElement()
          .satisfies(link -> assertThat(link.getSpanId()).isEqualTo(acceptedSpan.getSpanId()));
    }
    assertThat(hex(upstream.getTraceId())).isEqualTo(TRACE_ID);
  }

  @Test
  void withTracingOffATaskKeepsNoTraceparentAndTheUpstreamsAreSentOnlyTheCallers() {
    start(false);
    kit.routes(
        route("def", "/def", kit.target("/analyse")).async().build(),
        route("slow", "/slow", kit.target("/report")).held().build());
    var key = kit.apiKey("acme");

    var callback =
        kit.send(HttpMethod.POST, "/async/def", "{}", "X-Api-Key", key, "traceparent", CALLER);
    var atCallbackUpstream = kit.upstream.next();
    var held = kit.send(HttpMethod.POST, "/async/slow", "q", "X-Api-Key", key);
    var atHeldUpstream = kit.upstream.next();
    var view = kit.get("/_tasks/" + callback.json().get("taskId"), "X-Api-Key", key);

    assertThat(held.status()).isEqualTo(202);
    assertThat(atCallbackUpstream.headers().get("traceparent")).isEqualTo(CALLER);
    assertThat(atHeldUpstream.headers().contains("traceparent")).isFalse();
    assertThat(envelopeOf(view)).doesNotContainKey("traceparent");
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

  /** The server span (a request's) that is {@code span}'s parent. */
  private Span serverSpanOf(Span span) {
    Awaitility.await()
        .until(
            () -> {
              tracing.flush();
              return receiver.spans().stream()
                  .anyMatch(
                      s ->
                          s.getSpanId().equals(span.getParentSpanId())
                              && s.getKind() == Span.SpanKind.SPAN_KIND_SERVER);
            });
    return receiver.spans().stream()
        .filter(s -> s.getSpanId().equals(span.getParentSpanId()))
        .findFirst()
        .orElseThrow();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> envelopeOf(GatewayKit.Reply view) {
    return (Map<String, Object>) view.json().get("envelope");
  }
}
