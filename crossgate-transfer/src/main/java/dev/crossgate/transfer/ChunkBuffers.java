package dev.crossgate.transfer;

import dev.crossgate.store.transfer.ChunkStore;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayDeque;
import java.util.ArrayList;

/**
 * The direct buffers chunk bodies are received into, aligned on {@link ChunkStore#BLOCK} so the
 * chunk store can write them with O_DIRECT, and reused: a chunk is larger than the allocator's
 * pooled sizes, so each one was fresh direct memory that the JDK zeroed first (4 % of the gateway's
 * CPU per GiB, bench/transfer/RESULTS.md). Released buffers are kept up to {@link #IDLE_BYTES} in
 * all, the most recently released first, and only ones that no one else still holds (an early chunk
 * kept by {@link RunningDigests} goes when that releases it). Idle buffers are outside the tenants'
 * buffer budgets, hence the small bound. Thread-safe: buffers are taken on the event loop and given
 * back on worker threads.
 */
final class ChunkBuffers {
  /** Idle memory kept at most, off the heap: four chunks of the sender's default 8 MiB. */
  static final long IDLE_BYTES = 32L * 1024 * 1024;

  private final ArrayDeque<ByteBuf> idle = new ArrayDeque<>();
  private long idleBytes;
  private boolean closed;

  /** A cleared buffer of exactly {@code capacity} bytes; give it back once the chunk is stored. */
  ByteBuf take(int capacity) {
    synchronized (idle) {
      for (var it = idle.iterator(); it.hasNext(); ) {
        var buffer = it.next();
        if (buffer.capacity() == capacity) {
          it.remove();
          idleBytes -= capacity;
          return buffer.clear();
        }
      }
    }
    return aligned(capacity);
  }

  /**
   * Keeps {@code buffer} for a later chunk of its size when this was its last holder, else releases
   * this holder's share. The least recently given back buffers make room.
   */
  void giveBack(ByteBuf buffer) {
    if (buffer.refCnt() != 1 || buffer.capacity() > IDLE_BYTES) {
      buffer.release();
      return;
    }
    var evicted = new ArrayList<ByteBuf>();
    synchronized (idle) {
      if (closed) {
        evicted.add(buffer);
      } else {
        idle.addFirst(buffer);
        idleBytes += buffer.capacity();
        while (idleBytes > IDLE_BYTES) {
          var oldest = idle.pollLast();
          idleBytes -= oldest.capacity();
          evicted.add(oldest);
        }
      }
    }
    evicted.forEach(ByteBuf::release);
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
      idleBytes = 0;
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
