package dev.crossgate.tenant;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A token issuer as a tenant or operator submits it ({@code PUT
 * /admin/tenants/{id}/issuers/{name}}): every field optional here so that {@link
 * TokenIssuerValidator} names each missing or bad one at once. Server-set fields are accepted (so a
 * GET body can be PUT back) and ignored.
 */
public record TokenIssuerSpec(
    String id,
    String tenantId,
    String name,
    String issuer,
    List<String> audiences,
    String jwksUrl,
    List<Map<String, Object>> keys,
    Boolean discover,
    Map<String, String> claimsToHeaders,
    Integer clockSkewSeconds,
    String createdBy,
    Instant createdAt,
    Instant updatedAt,
    Long revision) {}
