package dev.crossgate.store.task;

/**
 * A result as the upstream gave it, ready to store: HTTP status, content type, size, and either the
 * bytes (inline) or the name of the blob file they were spilled to.
 */
public record TaskResult(
    TaskStatus status,
    int httpStatus,
    String contentType,
    long size,
    byte[] inline,
    String blob,
    String error) {
  public TaskResult {
    if (status != TaskStatus.DONE && status != TaskStatus.FAILED) {
      throw new IllegalArgumentException(
          "a result finishes a task as DONE or FAILED, not " + status);
    }
    if (inline != null && blob != null) {
      throw new IllegalArgumentException("a result is inline or in a blob, not both");
    }
  }
}
