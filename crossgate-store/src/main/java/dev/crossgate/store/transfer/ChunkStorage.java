package dev.crossgate.store.transfer;

/** Where a gateway keeps chunk bytes; the chunk index is in the database either way. */
public enum ChunkStorage {
  /** Files under the data dir: one node, or several nodes sharing a volume. */
  DISK,
  /**
   * Rows of the node's database ({@code transfer_chunk_data}): several nodes that share PostgreSQL
   * but no disk, at the price of every chunk crossing the database connection twice.
   */
  DATABASE
}
