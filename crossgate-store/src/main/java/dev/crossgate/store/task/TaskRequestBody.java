package dev.crossgate.store.task;

/**
 * Where a task's request body is kept: small ones in the row, larger ones in a blob file of the
 * node that accepted the task (that node also forwards or holds the call).
 *
 * @param inline the bytes kept in the row, or null
 * @param blob the blob file name, or null
 * @param size the body's length in bytes
 */
public record TaskRequestBody(byte[] inline, String blob, long size) {
  public TaskRequestBody {
    if (inline != null && blob != null) {
      throw new IllegalArgumentException("a request body is inline or in a blob, not both");
    }
  }

  public static TaskRequestBody inline(byte[] bytes) {
    return new TaskRequestBody(bytes, null, bytes == null ? 0 : bytes.length);
  }
}
