package dev.crossgate.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.vertx.core.MultiMap;

/**
 * One request's spans: the server span, and the proxy span of its call upstream. Lives on the
 * request's event loop, like its exchange. Exists only while tracing is on ({@link Tracing#start}).
 * Work the request set going may outlive it (a held task's call): its spans are still children of
 * the server span, which need not be open.
 */
public final class RequestTrace {
  private final Tracer tracer;
  private final Span server;
  private Span proxy;
  private boolean ended;

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

  /**
   * A span under {@code trace}'s server span ({@link #child}), or a no-op span when tracing is off
   * ({@code trace} null): a step then ends and injects it without asking.
   */
  public static Span span(RequestTrace trace, String name, SpanKind kind) {
    return trace == null ? Span.getInvalid() : trace.child(name, kind);
  }

  /**
   * A span under the server span for a step of work begun in another request (a task's result, its
   * collection), linked to the span {@code traceparent} names (the task's accepted span, stored
   * with the task): OpenTelemetry span links tie the steps across the asynchronous gap. No link
   * when {@code traceparent} is null or malformed.
   */
  public Span linked(String name, SpanKind kind, String traceparent) {
    var builder = tracer.spanBuilder(name).setParent(Context.root().with(server)).setSpanKind(kind);
    var link = Tracing.context(traceparent);
    if (link.isValid()) {
      builder.addLink(link);
    }
    return builder.startSpan();
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
    Tracing.inject(proxy != null ? proxy : server, headers);
  }

  /**
   * Ends the request's spans with its status; 5xx marks them failed (OpenTelemetry semconv). Only
   * the first call counts: a response that ends and a connection that closes may both report.
   */
  public void end(int status, String routeId) {
    if (ended) {
      return;
    }
    ended = true;
    if (proxy != null) {
      Tracing.end(proxy, status);
    }
    if (routeId != null) {
      server.setAttribute("http.route", routeId);
    }
    Tracing.end(server, status);
  }
}
