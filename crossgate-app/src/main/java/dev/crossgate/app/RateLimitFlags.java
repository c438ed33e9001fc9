package dev.crossgate.app;

import dev.crossgate.gateway.limit.RateLimitOptions;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Where a node keeps the counters of route rate limits (gateway, standalone): with {@code --redis}
 * in Redis, shared by every node; without it in the node's memory.
 */
final class RateLimitFlags {
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(
      names = "--rate-limit-redis-timeout",
      defaultValue = "PT0.05S",
      description =
          "How long a request waits for Redis to count it; slower or failed calls are counted in"
              + " this node's memory (the limit divided by --rate-limit-nodes) until Redis answers"
              + " again. ISO-8601 (default: ${DEFAULT-VALUE}).")
  Duration redisTimeout;

  @Option(
      names = "--rate-limit-key-prefix",
      defaultValue = RateLimitOptions.DEFAULT_KEY_PREFIX,
      description =
          "Prefix of the rate-limit keys in Redis, one per deployment sharing a Redis"
              + " (default: ${DEFAULT-VALUE}).")
  String keyPrefix;

  @Option(
      names = "--rate-limit-nodes",
      defaultValue = "1",
      description =
          "Gateway nodes sharing the rate limits: while Redis cannot be reached, each node"
              + " enforces this share of every limit (default: ${DEFAULT-VALUE}).")
  int nodes;

  /** The options, counting in {@code redisUri} (null: in the node's memory). */
  RateLimitOptions toOptions(String redisUri) {
    try {
      return new RateLimitOptions(redisUri, keyPrefix, redisTimeout, nodes);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(command.commandLine(), e.getMessage());
    }
  }
}
