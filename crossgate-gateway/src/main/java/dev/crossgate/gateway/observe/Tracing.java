package dev.crossgate.gateway.observe;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * The node's OpenTelemetry tracing: {@link #OFF} (the default: no SDK, no span, the caller's {@code
 * traceparent} passed upstream untouched like any other header) or an SDK exporting spans over
 * OTLP/HTTP (protobuf) in batches, off the event loop. With tracing on, W3C {@code
 * traceparent}/{@code tracestate} are taken from the caller, each request gets a server span, and
 * every call out gets a child span whose id is the {@code traceparent} sent with it. Sampling is
 * the caller's decision when it sent one, else {@code ratio} of new traces.
 */
public final class Tracing implements AutoCloseable {
  public static final Tracing OFF = new Tracing(null, null);

  private static final TextMapGetter<MultiMap> HEADERS =
      (carrier, key) -> carrier == null ? null : carrier.get(key);

  private final SdkTracerProvider provider;
  private final Tracer tracer;

  private Tracing(SdkTracerProvider provider, Tracer tracer) {
    this.provider = provider;
    this.tracer = tracer;
  }

  /**
   * Spans exported to an OTLP/HTTP collector.
   *
   * @param endpoint the collector, e.g. {@code http://127.0.0.1:4318} ({@code /v1/traces} is added
   *     unless the URL ends with it)
   * @param ratio the share of new traces sampled, 0 to 1
   * @param serviceName the {@code service.name} of the spans
   */
  public static Tracing otlp(String endpoint, double ratio, String serviceName) {
    if (!(ratio >= 0 && ratio <= 1)) {
      throw new IllegalArgumentException("the sampling ratio is between 0 and 1, not " + ratio);
    }
    var uri = URI.create(endpoint);
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new IllegalArgumentException("the OTLP endpoint is an http(s) URL, not " + endpoint);
    }
    var traces =
        endpoint.endsWith("/v1/traces") ? endpoint : endpoint.replaceAll("/+$", "") + "/v1/traces";
    var exporter = OtlpHttpSpanExporter.builder().setEndpoint(traces).build();
    var provider =
        SdkTracerProvider.builder()
            .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(ratio)))
            .setResource(
                Resource.getDefault()
                    .merge(
                        Resource.create(
                            Attributes.of(AttributeKey.stringKey("service.name"), serviceName))))
            .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
            .build();
    return new Tracing(provider, provider.get("dev.crossgate.gateway"));
  }

  public boolean on() {
    return tracer != null;
  }

  /**
   * The trace of a request: its server span, child of the caller's {@code traceparent} when it sent
   * one. Null when tracing is off: callers check, and pay nothing more.
   */
  RequestTrace start(HttpServerRequest request) {
    if (tracer == null) {
      return null;
    }
    var parent =
        W3CTraceContextPropagator.getInstance().extract(Context.root(), request.headers(), HEADERS);
    var span =
        tracer
            .spanBuilder(request.method().name())
            .setParent(parent)
            .setSpanKind(SpanKind.SERVER)
            .setAttribute("http.request.method", request.method().name())
            .setAttribute("url.path", request.path())
            .startSpan();
    return new RequestTrace(tracer, span);
  }

  /** Exports the spans ended so far (at most 10 s); for shutdown and tests. */
  public void flush() {
    if (provider != null) {
      provider.forceFlush().join(10, TimeUnit.SECONDS);
    }
  }

  /** Exports what is left and stops the SDK. */
  @Override
  public void close() {
    if (provider != null) {
      provider.shutdown().join(10, TimeUnit.SECONDS);
    }
  }
}
