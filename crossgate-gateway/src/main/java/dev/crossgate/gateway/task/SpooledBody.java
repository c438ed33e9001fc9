package dev.crossgate.gateway.task;

import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;

/**
 * A body received whole for a task (a request body, a posted or fetched result): up to a small
 * threshold in memory, beyond it in a file of the node's task blob directory, so that large bodies
 * never sit in the heap. Exactly one of {@code inline} and {@code file} is set.
 *
 * @param inline the bytes, when the body was small
 * @param file the spool file, when it was not (its owner deletes it once stored elsewhere)
 * @param size bytes in either
 */
record SpooledBody(Buffer inline, Path file, long size) {
  SpooledBody {
    if ((inline == null) == (file == null)) {
      throw new IllegalArgumentException("a spooled body is in memory or in a file, not both or neither");
    }
  }

  static SpooledBody inMemory(Buffer bytes) {
    return new SpooledBody(bytes, null, bytes.length());
  }
}
