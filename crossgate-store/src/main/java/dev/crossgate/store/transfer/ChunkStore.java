package dev.crossgate.store.transfer;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Where chunk bytes live; the chunk index is in the database either way ({@link
 * TransferRepository}). Every method blocks: worker threads only.
 */
public interface ChunkStore {
  /**
   * Memory alignment that {@link #onDisk} needs for its O_DIRECT writes of direct buffers; 4 KiB
   * covers the usual block sizes. Other buffers are written through the page cache.
   */
  int BLOCK = 4096;

  /**
   * Chunk files under {@code root} (a shared volume when several nodes serve one store); see {@link
   * ChunkStorage#DISK}.
   */
  static ChunkStore onDisk(Path root) {
    return new DiskChunkStore(root);
  }

  /**
   * Chunk rows in {@code dataSource}'s {@code transfer_chunk_data}; see {@link
   * ChunkStorage#DATABASE}.
   */
  static ChunkStore inDatabase(DataSource dataSource) {
    return new DatabaseChunkStore(dataSource);
  }

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
