package dev.crossgate.store.task;

import java.time.Instant;
import java.util.Objects;

/**
 * One stored async task without its bodies (those are read on demand). {@code owner} is the tenant
 * of the API key that created it; {@code secretHash} is the SHA-256 of the per-task secret the
 * upstream presents with its result; {@code envelope} is the JSON envelope {@code {taskId, status,
 * requestPath, params, mode}} as created.
 *
 * @param resultBlob file name of a result spilled to disk, or null when it is inline (or absent)
 * @param clientTaskId the client's own id for the task (from its envelope), which makes a
 *     resubmission after a client crash find the task it already created; null when none
 */
public record TaskRecord(
    String taskId,
    String owner,
    String routeId,
    String execution,
    TaskStatus status,
    String secretHash,
    String envelope,
    String requestMethod,
    String requestUri,
    String requestType,
    Integer resultStatus,
    String resultType,
    Long resultSize,
    String resultBlob,
    String error,
    Instant createdAt,
    Instant updatedAt,
    Instant finishedAt,
    Instant expiresAt,
    String clientTaskId) {

  public TaskRecord {
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(secretHash, "secretHash");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /**
   * The status a reader sees: a task past its TTL is EXPIRED even before the sweeper removed it.
   */
  public TaskStatus statusAt(Instant now) {
    return now.isAfter(expiresAt) ? TaskStatus.EXPIRED : status;
  }

  /** A new task as the gateway creates it: PENDING, no result. */
  public static TaskRecord pending(
      String taskId,
      String owner,
      String routeId,
      String execution,
      String secretHash,
      String envelope,
      String method,
      String uri,
      String contentType,
      Instant now,
      Instant expiresAt) {
    return new TaskRecord(
        taskId,
        owner,
        routeId,
        execution,
        TaskStatus.PENDING,
        secretHash,
        envelope,
        method,
        uri,
        contentType,
        null,
        null,
        null,
        null,
        null,
        now,
        now,
        null,
        expiresAt,
        null);
  }

  /** This pending task as the upstream accepted it at {@code at}. */
  public TaskRecord runningAt(Instant at) {
    return new TaskRecord(
        taskId,
        owner,
        routeId,
        execution,
        TaskStatus.RUNNING,
        secretHash,
        envelope,
        requestMethod,
        requestUri,
        requestType,
        resultStatus,
        resultType,
        resultSize,
        resultBlob,
        error,
        createdAt,
        at,
        finishedAt,
        expiresAt,
        clientTaskId);
  }

  public TaskRecord withClientTaskId(String id) {
    return new TaskRecord(
        taskId,
        owner,
        routeId,
        execution,
        status,
        secretHash,
        envelope,
        requestMethod,
        requestUri,
        requestType,
        resultStatus,
        resultType,
        resultSize,
        resultBlob,
        error,
        createdAt,
        updatedAt,
        finishedAt,
        expiresAt,
        id);
  }
}
