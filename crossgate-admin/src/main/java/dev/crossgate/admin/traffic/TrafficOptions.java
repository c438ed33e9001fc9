package dev.crossgate.admin.traffic;

import java.time.Duration;

/**
 * How the traffic view samples: every {@code interval}, remembering {@code window} (whole minutes:
 * the Admin API asks in minutes), at most {@code routes} routes per node and sample. Memory grows
 * with window / interval × routes × nodes.
 */
public record TrafficOptions(Duration interval, Duration window, int routes) {
  // before DEFAULTS: its constructor reads it
  /** The longest window: an hour of samples. */
  public static final Duration MAX_WINDOW = Duration.ofHours(1);

  public static final TrafficOptions DEFAULTS =
      new TrafficOptions(Duration.ofSeconds(5), Duration.ofMinutes(15), TrafficEndpoint.MAX_ROUTES);

  public TrafficOptions {
    if (interval.compareTo(Duration.ofSeconds(1)) < 0
        || interval.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException("the traffic interval must be 1 s to 1 min");
    }
    if (window.compareTo(Duration.ofMinutes(1)) < 0
        || window.compareTo(MAX_WINDOW) > 0
        || window.toSeconds() % 60 != 0) {
      throw new IllegalArgumentException("the traffic window must be whole minutes, 1 to 60");
    }
    if (routes < 1 || routes > TrafficEndpoint.MAX_ROUTES) {
      throw new IllegalArgumentException(
          "the traffic route cap must be 1 to " + TrafficEndpoint.MAX_ROUTES);
    }
  }

  /** Samples the ring holds. */
  public int capacity() {
    return (int) Math.max(1, window.toMillis() / interval.toMillis());
  }
}
