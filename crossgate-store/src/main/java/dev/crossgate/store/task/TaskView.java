package dev.crossgate.store.task;

import dev.crossgate.json.Json;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON shape of a task as callers ({@code GET /_tasks/{id}}) and operators ({@code GET
 * /admin/tasks}) see it: {@code taskId}, {@code status} as of now, timestamps, the envelope, and
 * once finished the result's status, type, size and link. Never the secret.
 */
public final class TaskView {
  private TaskView() {}

  public static Map<String, Object> of(TaskRecord t, Instant now, boolean withOwner) {
    var status = t.statusAt(now);
    var view = new LinkedHashMap<String, Object>();
    view.put("taskId", t.taskId());
    view.put("status", status.name());
    view.put("execution", t.execution());
    if (withOwner) {
      view.put("owner", t.owner());
      view.put("routeId", t.routeId());
    }
    view.put("createdAt", t.createdAt().toString());
    view.put("updatedAt", t.updatedAt().toString());
    if (t.finishedAt() != null) {
      view.put("finishedAt", t.finishedAt().toString());
    }
    view.put("expiresAt", t.expiresAt().toString());
    view.put("envelope", envelope(t, status));
    if (t.status().finished() && t.resultStatus() != null) {
      var result = new LinkedHashMap<String, Object>();
      result.put("status", t.resultStatus());
      if (t.resultType() != null) {
        result.put("contentType", t.resultType());
      }
      result.put("size", t.resultSize());
      result.put("href", "/_tasks/" + t.taskId() + "/result");
      view.put("result", result);
    }
    if (t.error() != null) {
      view.put("error", t.error());
    }
    return view;
  }

  /** The stored envelope with its status kept current. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> envelope(TaskRecord t, TaskStatus status) {
    Map<String, Object> envelope = new LinkedHashMap<>(Json.read(t.envelope(), Map.class));
    envelope.put("status", status.name());
    return envelope;
  }
}
