package dev.crossgate.app.task;

import static dev.crossgate.trace.OtlpReceiver.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.trace.OtlpReceiver;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One analysis traced across agent and gateway, each with its own SDK exporting to one real
 * OTLP/HTTP receiver (as two processes would): the caller's trace runs through the agent's spans
 * into the gateway's, and the task's later spans on the gateway link back to its accepted span.
 */
class TracedEndToEndTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CALLER_SPAN = "00f067aa0ba902b7";

  @TempDir Path dataDir;
  private final OtlpReceiver receiver = OtlpReceiver.start();
  private EndToEnd e2e;

  @AfterEach
  void close() {
    if (e2e != null) {
      e2e.close();
    }
    receiver.close();
  }

  @Test
  void anAnalysisIsOneTraceFromTheCallerThroughAgentAndGatewayToTheCallback() {
    e2e =
        new EndToEnd(
            "postgres",
            dataDir,
            new EndToEnd.Setup(GatewayOptions.Limits.DEFAULT, false, receiver.endpoint()));

    var accepted =
        e2e.call(
            "POST",
            "/analyse?delayMs=100",
            "data-1",
            "X-Callback-Url",
            e2e.callbackUrl(),
            "traceparent",
            "00-" + TRACE_ID + "-" + CALLER_SPAN + "-01");
    await().atMost(Duration.ofSeconds(20)).until(() -> e2e.deliveries.size() == 1);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              e2e.flushTraces();
              return Stream.of(
                      "gateway submit",
                      "gateway result",
                      "callback",
                      "task result",
                      "task collected")
                  .allMatch(receiver::has);
            });

    assertThat(accepted.statusCode()).isEqualTo(202);
    var agentServer = childOf(CALLER_SPAN, "POST");
    var agentAccepted = childOf(hex(agentServer.getSpanId()), "task accepted");
    var submit = receiver.only("gateway submit");
    assertThat(submit.getParentSpanId()).isEqualTo(agentAccepted.getSpanId());
    var gatewayServer = childOf(hex(submit.getSpanId()), "POST");
    var gatewayAccepted = childOf(hex(gatewayServer.getSpanId()), "task accepted");
    assertThat(hex(gatewayAccepted.getTraceId())).isEqualTo(TRACE_ID);
    var fetch = receiver.only("gateway result");
    var collected = receiver.only("task collected");
    assertThat(collected.getParentSpanId())
        .isEqualTo(childOf(hex(fetch.getSpanId()), "GET").getSpanId());
    for (var linked : List.of(receiver.only("task result"), collected)) {
      assertThat(linked.getLinksList())
          .as(linked.getName())
          .singleElement()
          .satisfies(link -> assertThat(link.getSpanId()).isEqualTo(gatewayAccepted.getSpanId()));
    }
    var callback = receiver.only("callback");
    assertThat(callback.getParentSpanId()).isEqualTo(agentAccepted.getSpanId());
    assertThat(e2e.deliveries.peek().traceparent()).isEqualTo(OtlpReceiver.traceparent(callback));
  }

  /** The span named {@code name} whose parent is the span {@code parentId}; waits for it. */
  private Span childOf(String parentId, String name) {
    await()
        .until(
            () -> {
              e2e.flushTraces();
              return find(parentId, name) != null;
            });
    return find(parentId, name);
  }

  private Span find(String parentId, String name) {
    return receiver.spans().stream()
        .filter(s -> s.getName().equals(name) && hex(s.getParentSpanId()).equals(parentId))
        .findFirst()
        .orElse(null);
  }
}
