package dev.crossgate.gateway.chain;

import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;

/**
 * A body a step received whole (an async task's request body, a posted result, a body an extension
 * step rewrote): small ones in memory, larger ones in a file, so that large bodies never sit in the
 * heap. The proxy sends it in place of the client's stream ({@link
 * Exchange#requestBody(SpooledBody)}). Exactly one of {@code inline} and {@code file} is set.
 *
 * @param inline the bytes, when the body was small
 * @param file the spool file, when it was not (its owner deletes it once stored elsewhere)
 * @param size bytes in either
 */
public record SpooledBody(Buffer inline, Path file, long size) {
  public SpooledBody {
    if ((inline == null) == (file == null)) {
      throw new IllegalArgumentException(
          "a spooled body is in memory or in a file, not both or neither");
    }
  }

  public static SpooledBody inMemory(Buffer bytes) {
    return new SpooledBody(bytes, null, bytes.length());
  }

  public boolean inFile() {
    return file != null;
  }
}
