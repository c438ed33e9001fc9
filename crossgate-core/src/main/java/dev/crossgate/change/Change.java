package dev.crossgate.change;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * One row of the change log (the seed's "first modification log"): what changed, at which revision,
 * by whom, and the entity before and after the change, so that the log is a full audit trail and a
 * revert can restore what was there. Revisions are allocated gap-free in commit order, so a reader
 * that has seen revision N has seen every change up to N.
 *
 * @param before the entity as it was, null for an INSERT; null also for an UPDATE or DELETE logged
 *     before before-images were kept (migration V51), and always null on the cluster stream, where
 *     nodes need only {@code after}
 * @param after the entity as it is after the change, null for a DELETE; read from {@code body} too,
 *     the name control planes before V51 sent
 */
public record Change(
    long revision,
    Op op,
    EntityType entityType,
    String entityId,
    JsonNode before,
    @JsonAlias("body") JsonNode after,
    String actor,
    Instant at) {
  public enum Op {
    INSERT,
    UPDATE,
    DELETE
  }

  /** The kinds of entity the change log records. */
  public enum EntityType {
    ROUTE,
    FILTER,
    TENANT,
    API_KEY,
    EXTENSION,
    CLIENT_CERT,
    UPSTREAM,
    /** A token issuer a tenant registered: its JWTs make callers of that tenant. */
    ISSUER,
    /** An Admin API credential: an audit entry of the control plane, never sent to nodes. */
    ADMIN_TOKEN;

    /** Whether gateway nodes serve this kind of entity (and so receive its changes). */
    public boolean reachesNodes() {
      return this != ADMIN_TOKEN;
    }
  }

  public Change {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(entityType, "entityType");
    Objects.requireNonNull(entityId, "entityId");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(at, "at");
  }

  /** A change as nodes receive it: the entity after the change, no before-image. */
  public Change(
      long revision,
      Op op,
      EntityType entityType,
      String entityId,
      JsonNode after,
      String actor,
      Instant at) {
    this(revision, op, entityType, entityId, null, after, actor, at);
  }

  /** This change without its before-image, as the cluster stream carries it. */
  public Change forNodes() {
    return before == null ? this : new Change(revision, op, entityType, entityId, after, actor, at);
  }
}
