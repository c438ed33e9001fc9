package dev.crossgate.gateway.chain;

import io.vertx.core.Future;

/** The rest of the chain after the current step. Call {@link #proceed} at most once. */
@FunctionalInterface
public interface Chain {
  Future<Void> proceed(Exchange exchange);
}
