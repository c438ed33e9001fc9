package dev.crossgate.store.revert;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.change.Change;
import java.util.List;

/**
 * What reverting the configuration to {@code toRevision} does: one step per entity changed after
 * it, each bringing the entity back to its state at {@code toRevision}.
 *
 * @param fromRevision the latest revision the plan was made at (the ETag of a dry run)
 * @param steps the inverse changes, in the order they are written
 * @param refused entities that cannot be reverted cleanly; a plan with any is not applied
 * @param skipped entities changed after {@code toRevision} that a revert leaves as they are
 * @param revisions the revisions the steps were written at; empty for a dry run or a refusal
 */
public record RevertPlan(
    long toRevision,
    long fromRevision,
    List<Step> steps,
    List<Entity> refused,
    List<Entity> skipped,
    List<Long> revisions) {
  public RevertPlan {
    steps = List.copyOf(steps);
    refused = List.copyOf(refused);
    skipped = List.copyOf(skipped);
    revisions = List.copyOf(revisions);
  }

  /** One inverse change: {@code before} is the entity now, {@code after} what it becomes. */
  public record Step(
      Change.EntityType entityType,
      String entityId,
      Change.Op op,
      JsonNode before,
      JsonNode after) {}

  /** An entity and why it is refused or skipped. */
  public record Entity(Change.EntityType entityType, String entityId, String reason) {}

  RevertPlan written(List<Long> writtenAt) {
    return new RevertPlan(toRevision, fromRevision, steps, refused, skipped, writtenAt);
  }
}
