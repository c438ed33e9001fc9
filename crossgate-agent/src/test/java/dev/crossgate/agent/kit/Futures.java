package dev.crossgate.agent.kit;

import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;

/** Waiting for a Vert.x future from a test thread. */
public final class Futures {
  private Futures() {}

  /** The future's value within 30 s; its failure (or the timeout) as an AssertionError. */
  public static <T> T join(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
