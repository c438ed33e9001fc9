package dev.crossgate.app;

import dev.crossgate.problem.FieldError;
import dev.crossgate.route.Route;
import dev.crossgate.route.RouteValidator;
import dev.crossgate.store.transfer.ChunkStorage;
import dev.crossgate.transfer.TransferEndpoint;
import dev.crossgate.transfer.TransferOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * Storage and limits of the resumable-transfer endpoint, for the roles that serve it (standalone,
 * gateway).
 */
final class TransferFlags {
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(
      names = "--transfer-storage",
      defaultValue = "disk",
      converter = StorageConverter.class,
      description =
          "Where chunk bytes live: disk (files under the data dir; a shared volume when several nodes "
              + "serve one store) or database (rows of the node's database, for nodes that share PostgreSQL but no "
              + "disk) (default: ${DEFAULT-VALUE}).")
  ChunkStorage storage;

  @Option(
      names = "--transfer-max-chunk",
      defaultValue = "16MiB",
      converter = ByteSize.class,
      description =
          "Largest chunk (native) or PATCH segment (tus), held in memory while it is verified; bytes or "
              + "KiB/MiB/GiB; at most 256MiB with database storage (default: ${DEFAULT-VALUE}).")
  long maxChunk;

  @Option(
      names = "--transfer-max-size",
      defaultValue = "64GiB",
      converter = ByteSize.class,
      description = "Largest file a transfer may announce (default: ${DEFAULT-VALUE}).")
  long maxSize;

  @Option(
      names = "--transfer-quota",
      defaultValue = "256GiB",
      converter = ByteSize.class,
      description =
          "Bytes one tenant may hold in unfinished transfers (default: ${DEFAULT-VALUE}).")
  long quota;

  @Option(
      names = "--transfer-ttl",
      defaultValue = "PT24H",
      description =
          "Sliding expiry of a transfer, ISO-8601: "
              + "every chunk received moves it to now + ttl; then the transfer and its chunks are removed "
              + "(default: ${DEFAULT-VALUE}).")
  Duration ttl;

  @Option(
      names = "--transfer-cors-origins",
      split = ",",
      paramLabel = "ORIGIN",
      description =
          "Origins (https://app.example.com, or *) whose pages may call /_tus/ and /_transfers:"
              + " browser tus clients on another origin; comma-separated (default: none).")
  List<String> corsOrigins = List.of();

  /** CORS of the transfer endpoints, or null when no origin is named. */
  Route.Cors toCors() {
    if (corsOrigins.isEmpty()) {
      return null;
    }
    var cors = TransferEndpoint.corsFor(corsOrigins);
    var origins =
        RouteValidator.corsErrors(cors).stream()
            .map(FieldError::message)
            .collect(java.util.stream.Collectors.joining("; "));
    if (!origins.isEmpty()) {
      throw new ParameterException(command.commandLine(), "--transfer-cors-origins: " + origins);
    }
    return cors;
  }

  /**
   * The endpoint's settings; chunk files (disk storage) go to {@code dataDir/transfers}. Limits the
   * converters cannot judge alone (a chunk above 2 GiB, or above 256 MiB in the database) are a
   * usage error, reported like a malformed value (exit code 2), not a stack trace.
   */
  TransferOptions toSettings(Path dataDir) {
    var defaults = TransferOptions.defaults(dataDir.resolve("transfers"));
    try {
      return new TransferOptions(
          defaults.dataDir(),
          maxChunk,
          maxSize,
          quota,
          ttl,
          defaults.sweepInterval(),
          defaults.workerPoolSize(),
          defaults.clock(),
          storage);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          command.commandLine(), "Invalid transfer options (--transfer-*): " + e.getMessage());
    }
  }

  /** {@code disk} or {@code database}, in any case. */
  static final class StorageConverter implements ITypeConverter<ChunkStorage> {
    @Override
    public ChunkStorage convert(String value) {
      try {
        return ChunkStorage.valueOf(value.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(
            "'" + value + "' is not a transfer storage; use disk or database");
      }
    }
  }
}
