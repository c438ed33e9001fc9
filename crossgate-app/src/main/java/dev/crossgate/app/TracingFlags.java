package dev.crossgate.app;

import dev.crossgate.trace.Tracing;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The OpenTelemetry flags of every role that serves traffic and calls out (standalone, gateway,
 * agent): one {@link Tracing} setup, off without {@code --otlp-endpoint}.
 */
final class TracingFlags {
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(
      names = "--otlp-endpoint",
      paramLabel = "URL",
      description =
          "Trace requests with OpenTelemetry and send the spans over OTLP/HTTP to this collector,"
              + " e.g. http://127.0.0.1:4318 (default: tracing off).")
  String otlpEndpoint;

  @Option(
      names = "--trace-sampling",
      defaultValue = "1.0",
      paramLabel = "RATIO",
      description =
          "Share of new traces recorded, 0 to 1; a caller's traceparent decides for its own"
              + " (default: ${DEFAULT-VALUE}).")
  double traceSampling;

  /**
   * The role's tracing, its spans under {@code serviceName}; off (no SDK at all) without an
   * endpoint.
   */
  Tracing toTracing(String serviceName) {
    if (!(traceSampling >= 0 && traceSampling <= 1)) {
      throw usage("--trace-sampling: " + traceSampling + " is not a ratio between 0 and 1");
    }
    if (otlpEndpoint == null || otlpEndpoint.isBlank()) {
      return Tracing.OFF;
    }
    try {
      return Tracing.otlp(otlpEndpoint, traceSampling, serviceName);
    } catch (IllegalArgumentException e) {
      throw usage("--otlp-endpoint: " + e.getMessage());
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(command.commandLine(), message);
  }
}
