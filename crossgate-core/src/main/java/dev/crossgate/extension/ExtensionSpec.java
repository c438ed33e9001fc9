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
    Boolean allowCallerVersion) {}
