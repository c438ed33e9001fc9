package dev.crossgate.transfer;

import dev.crossgate.store.transfer.ChunkStore;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayDeque;

/**
 * The direct buffers chunk bodies are received into, aligned on {@link ChunkStore#BLOCK} so the
 * chunk store can write them with O_DIRECT, and reused: a chunk is larger than the allocator's
 * pooled sizes, so each one was fresh direct memory that the JDK zeroed first (4 % of the gateway's
 * CPU per GiB, bench/transfer/RESULTS.md). At most {@link #IDLE_BUFFERS} released buffers are kept,
 * the most recently released, and only ones that no one else still holds (an early chunk kept by
 * {@link RunningDigests} goes when that releases it). Thread-safe: buffers are taken on the event
 * loop and given back on worker threads.
 */
final class ChunkBuffers {
  /** Idle buffers kept at most: one per chunk in flight of a usual sender, off the heap. */
  static final int IDLE_BUFFERS = 4;

  private final ArrayDeque<ByteBuf> idle = new ArrayDeque<>();
  private boolean closed;

  /** A cleared buffer of exactly {@code capacity} bytes; give it back once the chunk is stored. */
  ByteBuf take(int capacity) {
    synchronized (idle) {
      for (var it = idle.iterator(); it.hasNext(); ) {
        var buffer = it.next();
        if (buffer.capacity() == capacity) {
          it.remove();
          return buffer.clear();
        }
      }
    }
    return aligned(capacity);
  }

  /**
   * Keeps {@code buffer} for a later chunk of its size when this was its last holder, else releases
   * this holder's share. The least recently given back buffer makes room.
   */
  void giveBack(ByteBuf buffer) {
    if (buffer.refCnt() != 1) {
      buffer.release();
      return;
    }
    ByteBuf evicted = buffer;
    synchronized (idle) {
      if (!closed) {
        evicted = idle.size() == IDLE_BUFFERS ? idle.pollLast() : null;
        idle.addFirst(buffer);
      }
    }
    if (evicted != null) {
      evicted.release();
    }
  }

  /** Buffers kept now (tests). */
  int idleCount() {
    synchronized (idle) {
      return idle.size();
    }
  }

  /** Frees the kept buffers; buffers given back from now on are freed too. */
  void close() {
    synchronized (idle) {
      closed = true;
      idle.forEach(ByteBuf::release);
      idle.clear();
    }
  }

  /**
   * A direct buffer of {@code capacity} bytes whose memory starts on a {@link ChunkStore#BLOCK}
   * boundary. Releasing it releases the whole block.
   */
  private static ByteBuf aligned(int capacity) {
    var backing = PooledByteBufAllocator.DEFAULT.directBuffer(capacity + ChunkStore.BLOCK);
    if (!backing.hasMemoryAddress()) {
      return backing;
    }
    int offset =
        (int) ((ChunkStore.BLOCK - backing.memoryAddress() % ChunkStore.BLOCK) % ChunkStore.BLOCK);
    return backing.slice(offset, capacity).clear();
  }
}
