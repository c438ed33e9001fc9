package dev.crossgate.tenant;

/** A tenant as an operator submits it. */
public record TenantSpec(String id, String name, Boolean enabled) {}
