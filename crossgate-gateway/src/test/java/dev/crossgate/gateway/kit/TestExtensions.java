package dev.crossgate.gateway.kit;

import dev.crossgate.extension.Extension;
import java.time.Instant;
import java.util.List;

/** Registry entries for tests. */
public final class TestExtensions {
  private TestExtensions() {}

  /**
   * A POOLED, fail-closed extension with one version {@code v1} and no module, called at {@code
   * endpoint} over {@code protocol}.
   */
  public static Extension remote(
      String tenant, String id, String point, String endpoint, Extension.Protocol protocol) {
    return new Extension(
        tenant,
        id,
        point,
        endpoint,
        protocol,
        Extension.Connection.POOLED,
        5_000,
        Extension.FailurePolicy.FAIL_CLOSED,
        null,
        List.of(new Extension.Version("v1", 1, null)),
        List.of(),
        null,
        Instant.EPOCH,
        Instant.EPOCH,
        1);
  }
}
