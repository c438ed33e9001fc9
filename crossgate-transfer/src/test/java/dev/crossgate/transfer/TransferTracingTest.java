package dev.crossgate.transfer;

import static dev.crossgate.trace.OtlpReceiver.attribute;
import static dev.crossgate.transfer.Harness.ACME_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.trace.OtlpReceiver;
import dev.crossgate.trace.Tracing;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transfer spans with a real OTLP/HTTP receiver: one per chunk PUT and per tus PATCH, and a client
 * span for the delivery whose {@code traceparent} the fake target records.
 */
class TransferTracingTest {
  private static final int CHUNK = 64 * 1024;

  @TempDir Path dir;
  private final OtlpReceiver receiver = OtlpReceiver.start();
  private final Tracing tracing = Tracing.otlp(receiver.endpoint(), 1.0, "crossgate-test");
  private Harness gateway;
  private FakeTarget target;

  @BeforeEach
  void start() {
    gateway = Harness.h2(dir, tracing);
    target = new FakeTarget(Vertx.vertx());
  }

  @AfterEach
  void stop() {
    gateway.close();
    target.close();
    tracing.close();
    receiver.close();
  }

  @Test
  void eachChunkIsASpanAndTheDeliverysTraceparentReachesTheTarget() {
    var file = Chunks.randomBytes(CHUNK + 5, 3);
    gateway.post(
        "/_transfers",
        ACME_KEY,
        Chunks.descriptor(
            "traced", CHUNK, file.length, "\"target\":\"" + target.url("/in") + "\""));
    for (int n = 0; n < 2; n++) {
      var chunk = Chunks.chunk(file, CHUNK, n);
      gateway.send(
          "PUT",
          "/_transfers/traced/chunks/" + n,
          ACME_KEY,
          chunk,
          "Content-Digest",
          Chunks.sha256(chunk));
    }

    var completed = gateway.send("POST", "/_transfers/traced/complete", ACME_KEY, null);
    awaitSpans(2, "transfer chunk", "transfer delivery");

    assertThat(completed.statusCode()).as(completed.body()).isEqualTo(200);
    assertThat(spans("transfer chunk"))
        .extracting(s -> attribute(s, "crossgate.transfer.chunk"))
        .containsExactlyInAnyOrder("0", "1");
    assertThat(spans("transfer chunk"))
        .allSatisfy(s -> assertThat(attribute(s, "crossgate.transfer.id")).isEqualTo("traced"));
    var delivery = receiver.only("transfer delivery");
    assertThat(delivery.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
    assertThat(attribute(delivery, "http.response.status_code")).isEqualTo("201");
    assertThat(target.deliveries())
        .singleElement()
        .satisfies(d -> assertThat(d.traceparent()).isEqualTo(OtlpReceiver.traceparent(delivery)));
    assertThat(parentName(delivery)).isEqualTo("POST");
  }

  @Test
  void eachTusPatchIsASpanAndTheLastOneDeliversWithItsOwnTraceparent() {
    var created =
        gateway.send(
            "POST",
            "/_tus/",
            ACME_KEY,
            null,
            "Tus-Resumable",
            "1.0.0",
            "Upload-Length",
            "10",
            "Upload-Metadata",
            "filename " + b64("a.txt") + ",target " + b64(target.url("/tus-in")));
    var location = created.headers().firstValue("Location").orElseThrow();

    for (int offset : List.of(0, 5)) {
      var patched =
          gateway.send(
              "PATCH",
              location,
              ACME_KEY,
              "hello".getBytes(StandardCharsets.US_ASCII),
              "Tus-Resumable",
              "1.0.0",
              "Upload-Offset",
              String.valueOf(offset),
              "Content-Type",
              "application/offset+octet-stream");
      assertThat(patched.statusCode()).as(patched.body()).isEqualTo(204);
    }
    awaitSpans(2, "transfer patch", "transfer delivery");

    assertThat(spans("transfer patch"))
        .extracting(s -> attribute(s, "crossgate.transfer.offset"))
        .containsExactlyInAnyOrder("0", "5");
    var delivery = receiver.only("transfer delivery");
    assertThat(target.deliveries())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.body().toString()).isEqualTo("hellohello");
              assertThat(d.traceparent()).isEqualTo(OtlpReceiver.traceparent(delivery));
            });
    assertThat(parentName(delivery)).isEqualTo("PATCH");
  }

  /** Waits for {@code count} spans of the first name and one of each other name. */
  private void awaitSpans(int count, String many, String... others) {
    Awaitility.await()
        .until(
            () -> {
              tracing.flush();
              return spans(many).size() == count
                  && Stream.of(others).allMatch(receiver::has)
                  && receiver.spans().stream()
                          .filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER)
                          .count()
                      >= count + 1;
            });
  }

  private List<Span> spans(String name) {
    return receiver.spans().stream().filter(s -> s.getName().equals(name)).toList();
  }

  private String parentName(Span span) {
    return receiver.spans().stream()
        .filter(s -> s.getSpanId().equals(span.getParentSpanId()))
        .map(Span::getName)
        .findFirst()
        .orElse(null);
  }

  private static String b64(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }
}
