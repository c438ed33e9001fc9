package dev.crossgate.gateway.extension;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * Where a node gets WebAssembly modules uploaded to the platform: from the control plane, by
 * SHA-256, never from a URL. The bytes are checked against the digest again before they run.
 */
@FunctionalInterface
public interface HostedModules {
  /** A node without a control plane to ask: every platform-hosted version fails by its policy. */
  HostedModules NONE =
      sha256 ->
          Future.failedFuture("this node has no control plane to fetch uploaded modules from");

  /** The module with this digest; fails when the control plane has none or cannot be reached. */
  Future<Buffer> fetch(String sha256);
}
