package dev.crossgate.gateway.transfer;

import dev.crossgate.store.transfer.TransferKey;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;

/**
 * Whole-file digests computed while chunks arrive, so the end notification need not read the
 * file again. A digest can only advance over the next chunk in file order; chunks that arrive
 * early are caught up from disk (page cache) once the gap closes. The state is in memory only:
 * after a restart, or when chunks were taken by another node, {@link #result} is empty and the
 * caller re-reads the chunks. Methods block (disk): worker threads only.
 */
final class RunningDigests {
  private final Map<TransferKey, State> states = new ConcurrentHashMap<>();

  /**
   * Feeds chunk {@code number} (just stored) into the transfer's running digest.
   *
   * @param storedChunk the file of a stored chunk by number, or null when it is not stored
   */
  void offer(TransferKey key, DigestAlgorithm algorithm, long number, ByteBuffer data,
      LongFunction<Path> storedChunk) {
    var state = states.computeIfAbsent(key, k -> new State(algorithm));
    synchronized (state) {
      if (state.algorithm != algorithm || state.next != number) {
        return;
      }
      state.running.update(data.duplicate());
      state.next++;
      Path file;
      while ((file = storedChunk.apply(state.next)) != null) {
        try {
          state.running.update(ByteBuffer.wrap(java.nio.file.Files.readAllBytes(file)));
        } catch (java.io.IOException e) {
          states.remove(key);
          return;
        }
        state.next++;
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
