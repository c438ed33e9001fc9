package dev.crossgate.extension;

import java.util.List;

/**
 * An extension as a tenant or operator submits it ({@code PUT /admin/tenants/{t}/extensions/{id}});
 * enums arrive as strings so that a wrong value is reported per field.
 */
public record ExtensionSpec(
    String point,
    String endpoint,
    String protocol,
    String connection,
    Long timeoutMs,
    String failurePolicy,
    Extension.DefaultResponse defaultResponse,
    List<Extension.Version> versions,
    List<String> dependsOn,
    Boolean allowCallerVersion) {

  /** The spec that registers {@code extension} as it is, with {@code versions} instead of its. */
  public static ExtensionSpec of(Extension extension, List<Extension.Version> versions) {
    return new ExtensionSpec(
        extension.point(),
        extension.endpoint(),
        extension.protocol().name(),
        extension.connection().name(),
        extension.timeoutMs(),
        extension.failurePolicy().name(),
        extension.defaultResponse(),
        versions,
        extension.dependsOn(),
        extension.allowCallerVersion());
  }
}
