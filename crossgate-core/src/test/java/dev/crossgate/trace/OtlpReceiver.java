package dev.crossgate.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real OTLP/HTTP trace receiver on loopback for tests: it decodes what the SDK's exporter sends
 * with the OTLP protobuf classes and keeps the spans and the {@code service.name} of their
 * resources.
 */
public final class OtlpReceiver implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final List<Span> spans = new CopyOnWriteArrayList<>();
  private final List<String> serviceNames = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  private OtlpReceiver() {
    try {
      server =
          vertx
              .createHttpServer()
              .requestHandler(
                  request ->
                      request
                          .body()
                          .onSuccess(
                              body -> {
                                try {
                                  keep(ExportTraceServiceRequest.parseFrom(body.getBytes()));
                                  request
                                      .response()
                                      .putHeader("content-type", "application/x-protobuf")
                                      .end(
                                          Buffer.buffer(
                                              ExportTraceServiceResponse.getDefaultInstance()
                                                  .toByteArray()));
                                } catch (InvalidProtocolBufferException e) {
                                  request.response().setStatusCode(400).end();
                                }
                              }))
              .listen(0, "127.0.0.1")
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("the OTLP receiver did not start", e);
    }
  }

  public static OtlpReceiver start() {
    return new OtlpReceiver();
  }

  /** The collector URL for {@link Tracing#otlp}. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  public List<Span> spans() {
    return spans;
  }

  public List<String> serviceNames() {
    return serviceNames;
  }

  /** The one span received under {@code name} (fails when there is none or several). */
  public Span only(String name) {
    var named = spans.stream().filter(s -> s.getName().equals(name)).toList();
    assertThat(named).as("spans named " + name).hasSize(1);
    return named.get(0);
  }

  /** Whether a span named {@code name} has arrived. */
  public boolean has(String name) {
    return spans.stream().anyMatch(s -> s.getName().equals(name));
  }

  /** The value of {@code span}'s attribute {@code key} as text, or null when it has none. */
  public static String attribute(Span span, String key) {
    return span.getAttributesList().stream()
        .filter(a -> a.getKey().equals(key))
        .map(
            a ->
                a.getValue().hasIntValue()
                    ? String.valueOf(a.getValue().getIntValue())
                    : a.getValue().getStringValue())
        .findFirst()
        .orElse(null);
  }

  /** A trace or span id as the W3C {@code traceparent} writes it. */
  public static String hex(com.google.protobuf.ByteString id) {
    return HexFormat.of().formatHex(id.toByteArray());
  }

  /** The {@code traceparent} naming {@code span}, as its receiver gets it. */
  public static String traceparent(Span span) {
    // the low byte of the OTLP span flags is the W3C trace flags (sampled, random trace id)
    return "00-%s-%s-%02x"
        .formatted(hex(span.getTraceId()), hex(span.getSpanId()), span.getFlags() & 0xff);
  }

  private void keep(ExportTraceServiceRequest export) {
    for (var resource : export.getResourceSpansList()) {
      resource.getResource().getAttributesList().stream()
          .filter(a -> a.getKey().equals("service.name"))
          .forEach(a -> serviceNames.add(a.getValue().getStringValue()));
      for (var scope : resource.getScopeSpansList()) {
        spans.addAll(scope.getSpansList());
      }
    }
  }

  @Override
  public void close() {
    vertx.close();
  }
}
