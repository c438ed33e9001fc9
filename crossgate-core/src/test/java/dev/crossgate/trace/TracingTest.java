package dev.crossgate.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanKind;
import io.vertx.core.MultiMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TracingTest {
  private static final String STORED = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  private final OtlpReceiver receiver = OtlpReceiver.start();

  @AfterEach
  void stop() {
    receiver.close();
  }

  @Test
  void aSpanStartedFromAStoredTraceparentIsItsChildAndIsWhatItsReceiverIsSent() {
    try (var tracing = Tracing.otlp(receiver.endpoint(), 0.0, "crossgate-test")) {
      var headers = MultiMap.caseInsensitiveMultiMap();

      var span = tracing.start("callback", SpanKind.CLIENT, STORED);
      Tracing.inject(span, headers);
      span.end();
      tracing.flush();

      Awaitility.await().until(() -> receiver.has("callback"));
      var received = receiver.only("callback");
      assertThat(OtlpReceiver.hex(received.getParentSpanId())).isEqualTo("00f067aa0ba902b7");
      assertThat(headers.get("traceparent"))
          .isEqualTo(OtlpReceiver.traceparent(received))
          .isEqualTo(Tracing.traceparent(span));
    }
  }

  @Test
  void aMalformedStoredTraceparentStartsANewTrace() {
    try (var tracing = Tracing.otlp(receiver.endpoint(), 1.0, "crossgate-test")) {
      var span = tracing.start("callback", SpanKind.CLIENT, "00-not-a-trace");

      assertThat(span.getSpanContext().isValid()).isTrue();
      assertThat(span.getSpanContext().getTraceId()).isNotEqualTo(STORED.substring(3, 35));
      span.end();
    }
  }

  @Test
  void withTracingOffNoTraceparentIsInvented() {
    var headers = MultiMap.caseInsensitiveMultiMap();

    var span = Tracing.OFF.start("callback", SpanKind.CLIENT, STORED);
    Tracing.inject(span, headers);

    assertThat(headers.contains("traceparent")).isFalse();
    assertThat(Tracing.traceparent(span)).isNull();
  }
}
