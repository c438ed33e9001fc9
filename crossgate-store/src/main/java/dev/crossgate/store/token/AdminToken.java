package dev.crossgate.store.token;

import java.time.Instant;

/** An Admin API credential; only the SHA-256 of the token is stored. */
public record AdminToken(String id, String name, Role role, Instant createdAt) {
  public enum Role {
    /** Reads and writes. */
    ADMIN,
    /** Reads only. */
    VIEWER
  }
}
