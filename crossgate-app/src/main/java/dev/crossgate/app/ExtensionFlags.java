package dev.crossgate.app;

import dev.crossgate.gateway.extension.ExtensionOptions;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** How tenant extensions run on a node, for the roles that serve traffic (standalone, gateway). */
final class ExtensionFlags {
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(
      names = "--wasm-queue-per-tenant",
      defaultValue = "32",
      description =
          "WebAssembly extension calls of one tenant that may wait for a worker thread; more get 503"
              + " extension-busy when the step fails closed (default: ${DEFAULT-VALUE}).")
  int queuePerTenant;

  @Option(
      names = "--wasm-max-queue-wait",
      defaultValue = "PT1S",
      description =
          "The longest a WebAssembly call waits for a worker thread, ISO-8601; its timeoutMs counts"
              + " from when it starts (default: ${DEFAULT-VALUE}).")
  Duration maxQueueWait;

  /** The options for a node whose WebAssembly modules are cached under {@code moduleDir}. */
  ExtensionOptions toOptions(Path moduleDir) {
    try {
      return ExtensionOptions.defaults(moduleDir).withWasmQueue(queuePerTenant, maxQueueWait);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          command.commandLine(), "Invalid extension options: " + e.getMessage());
    }
  }
}
