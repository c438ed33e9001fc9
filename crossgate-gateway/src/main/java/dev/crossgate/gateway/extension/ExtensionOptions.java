package dev.crossgate.gateway.extension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * How a node runs tenant extensions.
 *
 * @param moduleDir where fetched WebAssembly modules are kept across restarts; null keeps them in
 *     memory only
 * @param bodyLimitBytes the most request or response body a flow buffers for its extension steps
 *     (413 for a larger request, 502 for a larger upstream response)
 * @param replyLimitBytes the most an extension may answer (remote body or WASM stdout)
 * @param maxMemoryPages WebAssembly linear memory limit in 64 KiB pages
 * @param wasmThreads worker threads running WebAssembly, beside the event loops
 * @param breakerFailures consecutive failures of one tenant that open its circuit
 * @param breakerOpen how long an open circuit refuses calls before one is let through again
 * @param wasmQueuePerTenant WebAssembly calls of one tenant that may wait for a worker thread; more
 *     fail at once (503 {@code extension-busy} when the step fails closed)
 * @param wasmMaxQueueWait the longest a WebAssembly call waits for a worker thread before it fails
 *     the same way; its {@code timeoutMs} counts from when it starts
 * @param versionPick the randomness of the platform's weighted version pick, values in {@code [0,
 *     1)}; tests pass a fixed sequence
 * @param hostedModules where modules uploaded to the platform come from (the control plane)
 */
public record ExtensionOptions(
    Path moduleDir,
    int bodyLimitBytes,
    int replyLimitBytes,
    int maxMemoryPages,
    int wasmThreads,
    int breakerFailures,
    Duration breakerOpen,
    int wasmQueuePerTenant,
    Duration wasmMaxQueueWait,
    DoubleSupplier versionPick,
    HostedModules hostedModules) {

  /** With a queue of 32 calls per tenant, waiting at most 1 s, and random version picks. */
  public ExtensionOptions(
      Path moduleDir,
      int bodyLimitBytes,
      int replyLimitBytes,
      int maxMemoryPages,
      int wasmThreads,
      int breakerFailures,
      Duration breakerOpen) {
    this(
        moduleDir,
        bodyLimitBytes,
        replyLimitBytes,
        maxMemoryPages,
        wasmThreads,
        breakerFailures,
        breakerOpen,
        32,
        Duration.ofSeconds(1),
        () -> ThreadLocalRandom.current().nextDouble(),
        HostedModules.NONE);
  }

  public static ExtensionOptions defaults(Path moduleDir) {
    return new ExtensionOptions(moduleDir, 1 << 20, 1 << 20, 256, 2, 5, Duration.ofSeconds(10));
  }

  public ExtensionOptions {
    if (bodyLimitBytes < 1
        || replyLimitBytes < 1
        || maxMemoryPages < 1
        || maxMemoryPages > 65_536
        || wasmThreads < 1
        || breakerFailures < 1
        || breakerOpen.isNegative()
        || wasmQueuePerTenant < 0
        || wasmMaxQueueWait.isNegative()) {
      throw new IllegalArgumentException("extension options out of range");
    }
    Objects.requireNonNull(versionPick, "versionPick");
    Objects.requireNonNull(hostedModules, "hostedModules");
  }

  public ExtensionOptions withVersionPick(DoubleSupplier versionPick) {
    return new ExtensionOptions(
        moduleDir,
        bodyLimitBytes,
        replyLimitBytes,
        maxMemoryPages,
        wasmThreads,
        breakerFailures,
        breakerOpen,
        wasmQueuePerTenant,
        wasmMaxQueueWait,
        versionPick,
        hostedModules);
  }

  public ExtensionOptions withWasmQueue(int perTenant, Duration maxWait) {
    return new ExtensionOptions(
        moduleDir,
        bodyLimitBytes,
        replyLimitBytes,
        maxMemoryPages,
        wasmThreads,
        breakerFailures,
        breakerOpen,
        perTenant,
        maxWait,
        versionPick,
        hostedModules);
  }

  public ExtensionOptions withHostedModules(HostedModules source) {
    return new ExtensionOptions(
        moduleDir,
        bodyLimitBytes,
        replyLimitBytes,
        maxMemoryPages,
        wasmThreads,
        breakerFailures,
        breakerOpen,
        wasmQueuePerTenant,
        wasmMaxQueueWait,
        versionPick,
        source);
  }
}
