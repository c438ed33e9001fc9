package dev.crossgate.gateway.transfer;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Where chunk bytes live; the chunk index is in the database either way. {@link DiskChunkStore}
 * keeps them under the data dir (a shared volume when several nodes serve one store). Every
 * method blocks: worker threads only.
 */
interface ChunkStore {
  /**
   * Stores {@code data} as chunk {@code number} atomically (a reader never sees half a chunk),
   * replacing a leftover of an earlier crash.
   */
  void write(String owner, String id, long number, ByteBuffer data);

  /**
   * Streams chunk {@code number} to {@code sink} in pieces; a piece is only valid during the call.
   *
   * @return false when the chunk is not stored
   */
  boolean read(String owner, String id, long number, Consumer<ByteBuffer> sink);

  void delete(String owner, String id, long number);

  /** Removes every chunk of a transfer. */
  void deleteAll(String owner, String id);
}
