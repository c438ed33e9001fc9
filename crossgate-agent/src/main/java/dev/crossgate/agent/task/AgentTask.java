package dev.crossgate.agent.task;

import dev.crossgate.task.TaskEnvelope;
import java.time.Instant;
import java.util.Objects;

/**
 * One async task the agent took from a caller, as stored in its local database (bodies are read on
 * demand). {@code webhookId} is fixed at creation, so every delivery attempt, also after a restart,
 * carries the same id and the caller can drop duplicates (Standard Webhooks). {@code requestHost}
 * is the Host the task is submitted under (the caller's, for an interface declared for one host),
 * or null for the gateway's own.
 */
public record AgentTask(
    String taskId,
    State state,
    String envelope,
    String requestMethod,
    String requestUri,
    String requestHost,
    String requestType,
    String callbackUrl,
    String webhookId,
    String gatewayTaskId,
    String taskStatus,
    Integer resultStatus,
    String resultType,
    int attempts,
    int deliveries,
    String lastError,
    Instant nextAt,
    Instant createdAt,
    Instant updatedAt) {

  /**
   * NEW: stored, not yet accepted by the gateway; SUBMITTED: the gateway has it, polled; FINISHED:
   * the gateway reported it finished but fetching the result failed, so the fetch is retried
   * without polling first (under a rate limit a poll and a fetch back to back would always meet a
   * 429); RESULT: result stored here, to deliver; DELIVERED: the callback took it, the gateway's
   * copy is still to release; COLLECTABLE: no callback, the caller polls the agent; UNDELIVERED:
   * the callback kept failing for the whole retry window (caller may poll).
   */
  public enum State {
    NEW,
    SUBMITTED,
    FINISHED,
    RESULT,
    DELIVERED,
    COLLECTABLE,
    UNDELIVERED
  }

  public AgentTask {
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(webhookId, "webhookId");
  }

  /**
   * The {@code traceparent} of the span that accepted the task (kept in its envelope while tracing
   * is on): the task's later calls are its children. Null when there is none.
   */
  public String traceparent() {
    try {
      return envelope == null ? null : TaskEnvelope.parse(envelope).traceparent();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The status a caller sees, in the gateway's words. */
  public String callerStatus() {
    switch (state) {
      case NEW:
        return "PENDING";
      case SUBMITTED:
      case FINISHED:
        // the agent holds no result yet: a caller asking for it would get a 409
        return "RUNNING";
      default:
        return taskStatus == null ? "FAILED" : taskStatus;
    }
  }
}
