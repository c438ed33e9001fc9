package dev.crossgate.gateway.observe;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.vertx.core.MultiMap;

/**
 * One request's spans: the server span, and the proxy span of its call upstream. Lives on the
 * request's event loop, like its exchange. Exists only while tracing is on ({@link Tracing#start}).
 */
public final class RequestTrace {
  private final Tracer tracer;
  private final Span server;
  private Span proxy;

  RequestTrace(Tracer tracer, Span server) {
    this.tracer = tracer;
    this.server = server;
  }

  /** The W3C trace id, for the access log. */
  public String traceId() {
    return server.getSpanContext().getTraceId();
  }

  /**
   * A span under the server span for a call out of the gateway (an extension, a callback): {@link
   * SpanKind#CLIENT} for a call over the network, {@link SpanKind#INTERNAL} for one run here.
   */
  public Span child(String name, SpanKind kind) {
    return tracer
        .spanBuilder(name)
        .setParent(Context.root().with(server))
        .setSpanKind(kind)
        .startSpan();
  }

  /** Starts the span of the call to the upstream; ended with the request. */
  public void startProxy(String upstream) {
    if (proxy == null) {
      proxy = child("proxy", SpanKind.CLIENT);
      proxy.setAttribute("server.address", upstream);
    }
  }

  /**
   * Sets {@code traceparent} (and {@code tracestate}) in {@code headers} to the proxy span, or to
   * the server span before there is one: the receiver's parent is the span that called it.
   */
  public void injectProxy(MultiMap headers) {
    inject(proxy != null ? proxy : server, headers);
  }

  /** Sets {@code traceparent} (and {@code tracestate}) in {@code headers} to {@code span}. */
  public static void inject(Span span, MultiMap headers) {
    W3CTraceContextPropagator.getInstance()
        .inject(Context.root().with(span), headers, MultiMap::set);
  }

  /** Ends the request's spans with its status; 5xx marks them failed (OpenTelemetry semconv). */
  void end(int status, String routeId) {
    if (proxy != null) {
      proxy.setAttribute("http.response.status_code", status);
      if (status >= 500) {
        proxy.setStatus(StatusCode.ERROR);
      }
      proxy.end();
    }
    server.setAttribute("http.response.status_code", status);
    server.setAttribute("http.route", routeId);
    if (status >= 500) {
      server.setStatus(StatusCode.ERROR);
    }
    server.end();
  }
}
