package dev.crossgate.agent.transfer;

/** Told about every chunk the server accepted; called on a sender thread. */
@FunctionalInterface
public interface ChunkListener {
  ChunkListener NONE = (number, bytes) -> {};

  void accepted(long number, long bytes);
}
