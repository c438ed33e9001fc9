package dev.crossgate.change;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * One row of the change log (the seed's "first modification log"): what changed, at which revision,
 * by whom. Revisions are allocated gap-free in commit order, so a reader that has seen revision N
 * has seen every change up to N. {@code body} is the entity after the change, or null for a DELETE.
 */
public record Change(
    long revision,
    Op op,
    EntityType entityType,
    String entityId,
    JsonNode body,
    String actor,
    Instant at) {
  public enum Op {
    INSERT,
    UPDATE,
    DELETE
  }

  /** The kinds of configuration that travel to gateway nodes. */
  public enum EntityType {
    ROUTE,
    FILTER,
    TENANT,
    API_KEY,
    EXTENSION,
    CLIENT_CERT,
    UPSTREAM
  }

  public Change {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(entityType, "entityType");
    Objects.requireNonNull(entityId, "entityId");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(at, "at");
  }
}
