package dev.crossgate.task;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonMappingException;
import dev.crossgate.json.Json;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The async envelope (DESIGN.md "The agent"): what an async task is about, as the agent sends it in
 * {@code X-Crossgate-Envelope} and as the gateway stores it with the task. Both ends build and read
 * it through this record, so they agree on every field. Unknown fields are ignored when read: a
 * newer agent may say more than this gateway understands.
 *
 * @param taskId the task's id where the envelope was made (the agent's, or the gateway's own)
 * @param status PENDING when made; the gateway answers the current status in its task view
 * @param requestPath the gateway path the task was submitted to (mode marker + source path)
 * @param params the request's query parameters, in order
 * @param mode ASYNC (the only mode a task has)
 * @param clientTaskId on the gateway's envelope: the agent's own {@code taskId}, when it sent one
 * @param traceparent with tracing on, the W3C {@code traceparent} of the span that accepted the
 *     task: the task's later spans (upstream call, result, collection) link to it across the
 *     asynchronous gap
 */
@JsonPropertyOrder({
  "taskId",
  "status",
  "requestPath",
  "params",
  "mode",
  "clientTaskId",
  "traceparent"
})
@JsonIgnoreProperties(ignoreUnknown = true)
public record TaskEnvelope(
    String taskId,
    String status,
    String requestPath,
    Map<String, String> params,
    String mode,
    String clientTaskId,
    String traceparent) {
  public static final String PENDING = "PENDING";
  public static final String ASYNC = "ASYNC";

  public TaskEnvelope {
    // the order of the caller's query is kept: Map.copyOf would not
    params = params == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }

  /** A new task's envelope. */
  public static TaskEnvelope pending(
      String taskId, String requestPath, Map<String, String> params) {
    return new TaskEnvelope(taskId, PENDING, requestPath, params, ASYNC, null, null);
  }

  public TaskEnvelope withClientTaskId(String clientTaskId) {
    return new TaskEnvelope(taskId, status, requestPath, params, mode, clientTaskId, traceparent);
  }

  /** This envelope naming the span that accepted the task; null (tracing off) leaves it out. */
  public TaskEnvelope withTraceparent(String traceparent) {
    return new TaskEnvelope(taskId, status, requestPath, params, mode, clientTaskId, traceparent);
  }

  /** The envelope as JSON, fields in the order above, absent ones left out. */
  public String json() {
    return Json.write(this);
  }

  /**
   * Reads an envelope.
   *
   * @throws IllegalArgumentException when {@code json} is not a JSON object or a field has the
   *     wrong type; the message says which
   */
  public static TaskEnvelope parse(String json) {
    try {
      var envelope = Json.mapper().readValue(json, TaskEnvelope.class);
      if (envelope == null) {
        throw new IllegalArgumentException("the envelope is not a JSON object");
      }
      return envelope;
    } catch (JsonMappingException e) {
      var path = e.getPath();
      throw new IllegalArgumentException(
          path.isEmpty() || path.get(0).getFieldName() == null
              ? "the envelope is not a JSON object"
              : "the envelope's " + path.get(0).getFieldName() + " has the wrong type",
          e);
    } catch (IOException e) {
      throw new IllegalArgumentException("the envelope is not a JSON object", e);
    }
  }
}
