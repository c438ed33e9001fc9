package dev.crossgate.app;

import dev.crossgate.gateway.task.TaskOptions;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Limits and per-tenant quotas of async tasks, for the roles that keep them (standalone, gateway).
 */
final class TaskFlags {
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(
      names = "--task-max-body",
      defaultValue = "16MiB",
      converter = ByteSize.class,
      description =
          "Largest request body an async task stores (413 above it; default: ${DEFAULT-VALUE}).")
  long maxBody;

  @Option(
      names = "--task-max-result",
      defaultValue = "16MiB",
      converter = ByteSize.class,
      description =
          "Largest result an upstream may post for a task (413 above it; default: ${DEFAULT-VALUE}).")
  long maxResult;

  @Option(
      names = "--task-max-pending",
      defaultValue = "1000",
      description =
          "Unfinished async tasks one tenant "
              + "may hold (429 above it); 0 = unlimited (default: ${DEFAULT-VALUE}).")
  long maxPending;

  @Option(
      names = "--task-max-pending-bytes",
      defaultValue = "256MiB",
      converter = ByteSize.class,
      description =
          "Request bytes of one tenant's unfinished tasks (429 above it); 0 = unlimited "
              + "(default: ${DEFAULT-VALUE}).")
  long maxPendingBytes;

  @Option(
      names = "--task-max-results-held",
      defaultValue = "1GiB",
      converter = ByteSize.class,
      description =
          "Bytes of finished results one tenant may leave uncollected before new tasks get 429; "
              + "0 = unlimited (default: ${DEFAULT-VALUE}).")
  long maxResultsHeld;

  /**
   * The task options for a node whose data dir is {@code dataDir}; a bound out of range is a usage
   * error.
   */
  TaskOptions toOptions(Path dataDir) {
    try {
      return TaskOptions.defaults(dataDir)
          .withLimits(maxBody, maxResult, TaskOptions.defaults(dataDir).inlineResultBytes())
          .withQuota(new TaskOptions.Quota(maxPending, maxPendingBytes, maxResultsHeld));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          command.commandLine(), "Invalid task options: " + e.getMessage());
    }
  }
}
