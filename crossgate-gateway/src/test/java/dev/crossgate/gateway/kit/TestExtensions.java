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
    return of(
        tenant,
        id,
        point,
        endpoint,
        protocol,
        Extension.FailurePolicy.FAIL_CLOSED,
        new Extension.Version("v1", 1, null));
  }

  /**
   * A POOLED extension without dependencies; {@code endpoint} null for one that runs only on the
   * platform.
   */
  public static Extension of(
      String tenant,
      String id,
      String point,
      String endpoint,
      Extension.Protocol protocol,
      Extension.FailurePolicy policy,
      Extension.Version... versions) {
    return new Extension(
        tenant,
        id,
        point,
        endpoint,
        protocol,
        Extension.Connection.POOLED,
        5_000,
        policy,
        null,
        List.of(versions),
        List.of(),
        null,
        Instant.EPOCH,
        Instant.EPOCH,
        1);
  }
}
