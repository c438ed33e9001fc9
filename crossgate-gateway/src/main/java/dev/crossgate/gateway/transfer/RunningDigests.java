package dev.crossgate.gateway.transfer;

import dev.crossgate.store.transfer.TransferKey;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whole-file digests computed while chunks arrive, so the end notification need not read the
 * file again. A digest can only advance over the next chunk in file order; chunks that arrive
 * early are caught up from the chunk store (page cache) once the gap closes. The state is in memory only:
 * after a restart, or when chunks were taken by another node, {@link #result} is empty and the
 * caller re-reads the chunks. Methods block (disk): worker threads only.
 */
final class RunningDigests {
  private final Map<TransferKey, State> states = new ConcurrentHashMap<>();

  /**
   * Feeds chunk {@code number} (just stored) into the transfer's running digest.
   *
   * @param storedChunk feeds a stored chunk by number into a digest; false when it is not stored
   */
  void offer(TransferKey key, DigestAlgorithm algorithm, long number, ByteBuffer data, StoredChunk storedChunk) {
    var state = states.computeIfAbsent(key, k -> new State(algorithm));
    synchronized (state) {
      if (state.algorithm != algorithm || state.next != number) {
        return;
      }
      state.running.update(data.duplicate());
      state.next++;
      try {
        while (storedChunk.feed(state.next, state.running)) {
          state.next++;
        }
      } catch (RuntimeException e) {
        // a chunk that cannot be read now is read again at the end notification
        states.remove(key);
      }
    }
  }

  /** The finished digest when every one of {@code chunkCount} chunks went through it. */
  Optional<byte[]> result(TransferKey key, DigestAlgorithm algorithm, long chunkCount) {
    var state = states.remove(key);
    if (state == null) {
      return Optional.empty();
    }
    synchronized (state) {
      return state.algorithm == algorithm && state.next == chunkCount
          ? Optional.of(state.running.finish())
          : Optional.empty();
    }
  }

  void forget(TransferKey key) {
    states.remove(key);
  }

  /** Feeds a stored chunk into a running digest. */
  interface StoredChunk {
    boolean feed(long number, DigestAlgorithm.Running running);
  }

  private static final class State {
    final DigestAlgorithm algorithm;
    final DigestAlgorithm.Running running;
    long next;

    State(DigestAlgorithm algorithm) {
      this.algorithm = algorithm;
      this.running = algorithm.start();
    }
  }
}
