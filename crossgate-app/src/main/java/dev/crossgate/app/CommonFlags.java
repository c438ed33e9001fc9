package dev.crossgate.app;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every role shares (DESIGN.md "Contracts"). */
final class CommonFlags {
  @Option(
      names = "--data-dir",
      defaultValue = "./data",
      description =
          "Directory for the embedded database, "
              + "snapshots and generated credentials (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--bind",
      defaultValue = "127.0.0.1",
      description =
          "Address to listen on "
              + "(default: ${DEFAULT-VALUE}; use 0.0.0.0 to accept traffic from other hosts).")
  String bind;

  @Option(
      names = "--log-format",
      defaultValue = "text",
      paramLabel = "text|json",
      converter = LogFormat.Parser.class,
      description =
          "Log lines as key=value text or as one JSON object per line (timestamp, level, logger,"
              + " message, requestId, traceId) (default: ${DEFAULT-VALUE}).")
  LogFormat logFormat;
}
