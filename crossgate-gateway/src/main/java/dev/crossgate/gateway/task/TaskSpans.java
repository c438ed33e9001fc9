package dev.crossgate.gateway.task;

import dev.crossgate.store.task.TaskRecord;
import dev.crossgate.task.TaskEnvelope;
import dev.crossgate.trace.RequestTrace;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;

/**
 * The spans of a task's life (README "Observability"): {@code task accepted} under the request that
 * created it, whose {@code traceparent} is kept in the task's envelope; {@code task upstream} (a
 * held task's call), {@code task result} and {@code task collected} happen in other requests or
 * after the creating one ended, and carry an OpenTelemetry link to the accepted span. With tracing
 * off (the request's trace is null) they are no-op spans.
 */
final class TaskSpans {
  static final String TASK_ID = "crossgate.task.id";

  private TaskSpans() {}

  /** The accepted span of a task being created. */
  static Span accepted(RequestTrace trace, String execution) {
    var span = RequestTrace.span(trace, "task accepted", SpanKind.INTERNAL);
    span.setAttribute("crossgate.task.execution", execution);
    return span;
  }

  /**
   * A later step of {@code task}, linked to its accepted span. {@code trace} is the request the
   * step runs in (or, for a held task's call, the one that created it).
   */
  static Span later(RequestTrace trace, String name, SpanKind kind, TaskRecord task) {
    return later(trace, name, kind, task.taskId(), acceptedTraceparent(task));
  }

  static Span later(
      RequestTrace trace, String name, SpanKind kind, String taskId, String accepted) {
    if (trace == null) {
      return Span.getInvalid();
    }
    var span = trace.linked(name, kind, accepted);
    span.setAttribute(TASK_ID, taskId);
    return span;
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
