package dev.crossgate.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

/**
 * A process's OpenTelemetry tracing, the one setup of every role that traces (standalone, gateway,
 * agent): {@link #OFF} (the default: no SDK, no span, a caller's {@code traceparent} passed on
 * untouched like any other header, none invented) or an SDK exporting spans over OTLP/HTTP
 * (protobuf) in batches, off the event loop. With tracing on, W3C {@code traceparent}/{@code
 * tracestate} are taken from the caller, each request gets a server span, and every call out gets a
 * child span whose id is the {@code traceparent} sent with it. Sampling is the caller's decision
 * when it sent one, else {@code ratio} of new traces.
 */
public final class Tracing implements AutoCloseable {
  public static final Tracing OFF = new Tracing(null, null);

  private static final TextMapGetter<MultiMap> HEADERS =
      (carrier, key) -> carrier == null ? null : carrier.get(key);
  private static final TextMapGetter<Map<String, String>> FIELDS =
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
    return new Tracing(provider, provider.get("dev.crossgate"));
  }

  public boolean on() {
    return tracer != null;
  }

  /**
   * The trace of a request: its server span, child of the caller's {@code traceparent} when it sent
   * one. Null when tracing is off: callers check, and pay nothing more.
   */
  public RequestTrace start(HttpServerRequest request) {
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

  /**
   * A span that belongs to no request of this process (a background call, a delivery): child of the
   * span named by {@code parent} (a W3C {@code traceparent}, e.g. one stored with a task), or the
   * root of a new trace when that is null or malformed. A no-op span when tracing is off: {@link
   * #inject} then sends nothing.
   */
  public Span start(String name, SpanKind kind, String parent) {
    if (tracer == null) {
      return Span.getInvalid();
    }
    var context = context(parent);
    return tracer
        .spanBuilder(name)
        .setParent(context.isValid() ? Context.root().with(Span.wrap(context)) : Context.root())
        .setSpanKind(kind)
        .startSpan();
  }

  /**
   * Sets {@code traceparent} (and {@code tracestate}) in {@code headers} to {@code span}: the
   * receiver's parent is the span that called it. Sets nothing for a no-op span (tracing off).
   */
  public static void inject(Span span, MultiMap headers) {
    W3CTraceContextPropagator.getInstance()
        .inject(Context.root().with(span), headers, MultiMap::set);
  }

  /**
   * Ends {@code span} with the HTTP status of the exchange it stands for; 5xx marks it failed
   * (OpenTelemetry semantic conventions).
   */
  public static void end(Span span, int status) {
    span.setAttribute("http.response.status_code", status);
    if (status >= 500) {
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
  }

  /** Ends {@code span} as failed by {@code cause} (a call that got no answer). */
  public static void fail(Span span, Throwable cause) {
    span.setStatus(StatusCode.ERROR, cause.toString());
    span.end();
  }

  /** Ends {@code span} when a call ends: with its answer's status, or failed by its cause. */
  public static <T> Handler<AsyncResult<T>> ends(Span span, ToIntFunction<T> status) {
    return ar -> {
      if (ar.failed()) {
        fail(span, ar.cause());
      } else {
        end(span, status.applyAsInt(ar.result()));
      }
    };
  }

  /** The W3C {@code traceparent} naming {@code span}, or null for a no-op span (tracing off). */
  public static String traceparent(Span span) {
    var fields = new HashMap<String, String>();
    W3CTraceContextPropagator.getInstance().inject(Context.root().with(span), fields, Map::put);
    return fields.get("traceparent");
  }

  /** The span context a stored {@code traceparent} names; invalid when null or malformed. */
  static SpanContext context(String traceparent) {
    if (traceparent == null) {
      return SpanContext.getInvalid();
    }
    var extracted =
        W3CTraceContextPropagator.getInstance()
            .extract(Context.root(), Map.of("traceparent", traceparent), FIELDS);
    return Span.fromContext(extracted).getSpanContext();
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
