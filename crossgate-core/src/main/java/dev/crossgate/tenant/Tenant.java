package dev.crossgate.tenant;

import java.time.Instant;

/**
 * A tenant of the platform: callers and extension providers are identified through its API keys.
 */
public record Tenant(
    String id, String name, boolean enabled, Instant createdAt, Instant updatedAt, long revision) {}
