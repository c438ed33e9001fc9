package dev.crossgate.tenant;

import java.time.Instant;

/**
 * An issued API key. Only the SHA-256 of the key is stored (keys are 256-bit random, so a plain
 * hash is enough); {@code prefix} is the first characters, to let operators tell keys apart.
 */
public record ApiKey(
    String id,
    String tenantId,
    String participant,
    String keyHash,
    String prefix,
    Instant createdAt) {}
