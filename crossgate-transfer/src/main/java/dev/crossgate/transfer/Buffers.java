package dev.crossgate.transfer;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;

/** A read-only NIO view of a Vert.x buffer, without copying when Vert.x lets us. */
final class Buffers {
  private Buffers() {}

  static ByteBuffer nio(Buffer buffer) {
    if (buffer instanceof BufferInternal internal) {
      return internal.getByteBuf().nioBuffer().asReadOnlyBuffer();
    }
    return ByteBuffer.wrap(buffer.getBytes());
  }
}
