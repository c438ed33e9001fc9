package dev.crossgate.gateway.kit;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

/**
 * Large bodies without large allocations: one 64 KiB chunk written repeatedly, with back-pressure.
 */
public final class ByteStreams {
  private static final int CHUNK = 64 * 1024;

  private ByteStreams() {}

  /**
   * Writes {@code total} bytes to {@code out} as fast as it drains; call on {@code out}'s context.
   * Does not end it.
   */
  public static Future<Void> write(WriteStream<Buffer> out, long total) {
    var chunk = Buffer.buffer(new byte[CHUNK]);
    var promise = Promise.<Void>promise();
    new Object() {
      long left = total;

      void pump() {
        while (left > 0 && !out.writeQueueFull()) {
          int n = (int) Math.min(CHUNK, left);
          out.write(n == CHUNK ? chunk.copy() : chunk.getBuffer(0, n));
          left -= n;
        }
        if (left == 0) {
          promise.complete();
        } else {
          out.drainHandler(v -> pump());
        }
      }
    }.pump();
    return promise.future();
  }

  /** Counts the bytes of {@code in} until it ends. */
  public static Future<Long> count(ReadStream<Buffer> in) {
    var promise = Promise.<Long>promise();
    var n = new long[1];
    in.handler(b -> n[0] += b.length());
    in.exceptionHandler(promise::tryFail);
    in.endHandler(v -> promise.tryComplete(n[0]));
    return promise.future();
  }
}
