package dev.crossgate.transfer;

import dev.crossgate.digest.DigestAlgorithm;
import dev.crossgate.store.transfer.TransferKey;
import io.netty.buffer.ByteBuf;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whole-file digests computed while chunks arrive, so the end notification need not read the file
 * again. A digest can only advance over the next chunk in file order. Chunks that arrive early
 * (parallel senders) are kept in memory up to {@link #PENDING_BUDGET} bytes in all, so the usual
 * small reordering costs no re-read; beyond that they are caught up from the chunk store once the
 * gap closes. The state is in memory only: after a restart, or when chunks were taken by another
 * node, {@link #result} is empty and the caller re-reads the chunks. Methods may block (chunk
 * store): worker threads only.
 */
final class RunningDigests {
  /** Early chunks held at once over all transfers: 8 chunks of 8 MiB, off the heap. */
  static final long PENDING_BUDGET = 64L * 1024 * 1024;

  private final Map<TransferKey, State> states = new ConcurrentHashMap<>();
  private final AtomicLong pendingBytes = new AtomicLong();

  /**
   * Feeds chunk {@code number} (just stored) into the transfer's running digest, or keeps it
   * (retained) until the chunks before it arrive.
   *
   * @param storedChunk feeds a stored chunk by number into a digest; false when it is not stored
   */
  void offer(
      TransferKey key,
      DigestAlgorithm algorithm,
      long number,
      ByteBuf data,
      StoredChunk storedChunk) {
    var state = states.computeIfAbsent(key, k -> new State(algorithm));
    synchronized (state) {
      if (state.algorithm != algorithm || number < state.next) {
        return;
      }
      if (number > state.next) {
        keepEarly(state, number, data);
        return;
      }
      state.running.update(data.nioBuffer());
      state.next++;
      try {
        while (true) {
          var early = state.early.remove(state.next);
          if (early != null) {
            state.running.update(early.nioBuffer());
            release(early);
          } else if (!storedChunk.feed(state.next, state.running)) {
            break;
          }
          state.next++;
        }
      } catch (RuntimeException e) {
        // a chunk that cannot be read now is read again at the end notification
        drop(key);
      }
    }
  }

  private void keepEarly(State state, long number, ByteBuf data) {
    int size = data.readableBytes();
    if (state.early.containsKey(number) || pendingBytes.addAndGet(size) > PENDING_BUDGET) {
      if (!state.early.containsKey(number)) {
        pendingBytes.addAndGet(-size);
      }
      return;
    }
    state.early.put(number, data.retainedSlice());
  }

  private void release(ByteBuf early) {
    pendingBytes.addAndGet(-early.readableBytes());
    early.release();
  }

  /** The finished digest when every one of {@code chunkCount} chunks went through it. */
  Optional<byte[]> result(TransferKey key, DigestAlgorithm algorithm, long chunkCount) {
    var state = states.remove(key);
    if (state == null) {
      return Optional.empty();
    }
    synchronized (state) {
      releaseEarly(state);
      return state.algorithm == algorithm && state.next == chunkCount
          ? Optional.of(state.running.finish())
          : Optional.empty();
    }
  }

  void forget(TransferKey key) {
    drop(key);
  }

  private void drop(TransferKey key) {
    var state = states.remove(key);
    if (state != null) {
      synchronized (state) {
        releaseEarly(state);
      }
    }
  }

  private void releaseEarly(State state) {
    state.early.values().forEach(this::release);
    state.early.clear();
  }

  /** Feeds a stored chunk into a running digest. */
  interface StoredChunk {
    boolean feed(long number, DigestAlgorithm.Running running);
  }

  private static final class State {
    final DigestAlgorithm algorithm;
    final DigestAlgorithm.Running running;
    final Map<Long, ByteBuf> early = new HashMap<>();
    long next;

    State(DigestAlgorithm algorithm) {
      this.algorithm = algorithm;
      this.running = algorithm.start();
    }
  }
}
