package dev.crossgate.tenant;

import dev.crossgate.ratelimit.RateLimit;
import java.util.List;

/** A tenant as an operator submits it. */
public record TenantSpec(
    String id, String name, Boolean enabled, List<RateLimit.Spec> rateLimits) {}
