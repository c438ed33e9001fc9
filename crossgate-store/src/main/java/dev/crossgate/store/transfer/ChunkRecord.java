package dev.crossgate.store.transfer;

/**
 * A stored chunk: its number, where it sits in the file, its size and the digest it was verified
 * with (RFC 9530 field value), kept so that a resent chunk is recognised as the same.
 */
public record ChunkRecord(long number, long offset, long size, String digest) {
  public ChunkRecord {
    if (number < 0 || offset < 0 || size < 0) {
      throw new IllegalArgumentException("chunk number, offset and size are never negative");
    }
  }
}
