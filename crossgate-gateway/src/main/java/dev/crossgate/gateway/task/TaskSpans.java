package dev.crossgate.gateway.task;

import dev.crossgate.store.task.TaskRecord;
import dev.crossgate.task.TaskEnvelope;
import dev.crossgate.trace.RequestTrace;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;

/**
 * The spans of a task's life (README "Observability"): {@code task accepted} under the request that
 * created it, whose {@code traceparent} is kept in the task's envelope; {@code task upstream} (a
 * held task's call), {@code task result} and {@code task collected} happen in other requests or
 * after the creating one ended, and carry an OpenTelemetry link to the accepted span. Only with
 * tracing on: every method takes the request's trace and does nothing when it is null.
 */
final class TaskSpans {
  static final String TASK_ID = "crossgate.task.id";

  private TaskSpans() {}

  /** The accepted span of a task being created, or null when tracing is off. */
  static Span accepted(RequestTrace trace, String execution) {
    if (trace == null) {
      return null;
    }
    var span = trace.child("task accepted", SpanKind.INTERNAL);
    span.setAttribute("crossgate.task.execution", execution);
    return span;
  }

  /**
   * A later step of {@code task}, linked to its accepted span; null when tracing is off. {@code
   * trace} is the request the step runs in (or, for a held task's call, the one that created it).
   */
  static Span later(RequestTrace trace, String name, SpanKind kind, TaskRecord task) {
    return later(trace, name, kind, task.taskId(), acceptedTraceparent(task));
  }

  static Span later(
      RequestTrace trace, String name, SpanKind kind, String taskId, String accepted) {
    if (trace == null) {
      return null;
    }
    var span = trace.linked(name, kind, accepted);
    span.setAttribute(TASK_ID, taskId);
    return span;
  }

  /** Ends {@code span} (when there is one) with an HTTP status; 5xx marks it failed. */
  static void end(Span span, int status) {
    if (span == null) {
      return;
    }
    span.setAttribute("http.response.status_code", status);
    if (status >= 500) {
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
  }

  /**
   * Ends {@code span} (when there is one) with the step: {@code status}, or failed by its cause.
   */
  static <T> Handler<AsyncResult<T>> ends(Span span, int status) {
    return ar -> {
      if (ar.failed()) {
        fail(span, ar.cause());
      } else {
        end(span, status);
      }
    };
  }

  /** Ends {@code span} (when there is one) as failed by {@code cause}. */
  static void fail(Span span, Throwable cause) {
    if (span != null) {
      span.setStatus(StatusCode.ERROR, cause.toString());
      span.end();
    }
  }

  /** The accepted span's {@code traceparent} kept with {@code task}, or null. */
  private static String acceptedTraceparent(TaskRecord task) {
    if (task.envelope() == null) {
      return null;
    }
    try {
      return TaskEnvelope.parse(task.envelope()).traceparent();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
