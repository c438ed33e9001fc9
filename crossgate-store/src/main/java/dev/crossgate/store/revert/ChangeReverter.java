package dev.crossgate.store.revert;

import dev.crossgate.change.Change;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.ChangeLog;
import dev.crossgate.store.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reverts the configuration to an earlier revision by writing the inverse of every later change as
 * new revisions: the log only grows. Each entity changed after the target revision returns to its
 * state there, taken from the before-image of its first later change (created since → removed,
 * removed since → recreated with the same id, updated → its earlier body). Untouched entities are
 * at that state already, so the whole configuration, and its hash, is the one of the target.
 *
 * <p>All steps are written in one change transaction, or none: a plan that refuses any entity (one
 * logged without a before-image, or one whose kind forbids it, see {@link EntityRestorer#refusing})
 * is not applied. Kinds without a restorer (admin tokens: credentials, not configuration) are left
 * as they are and listed as skipped. Blocking: call from a worker thread.
 */
public final class ChangeReverter {
  /** Writes go parents first (a tenant before its keys); removals in the reverse order. */
  private static final List<Change.EntityType> WRITE_ORDER =
      List.of(
          Change.EntityType.TENANT,
          Change.EntityType.EXTENSION,
          Change.EntityType.ROUTE,
          Change.EntityType.FILTER,
          Change.EntityType.API_KEY,
          Change.EntityType.CLIENT_CERT,
          Change.EntityType.ISSUER);

  /** Removals first (dependents before what they depend on), then writes (parents first). */
  private static final Comparator<RevertPlan.Step> STEP_ORDER =
      Comparator.<RevertPlan.Step>comparingInt(
              s ->
                  s.after() == null
                      ? -1 - WRITE_ORDER.indexOf(s.entityType())
                      : WRITE_ORDER.indexOf(s.entityType()))
          .thenComparing(RevertPlan.Step::entityId);

  private final Database database;
  private final ChangeLog changeLog;
  private final Clock clock;
  private final Map<Change.EntityType, EntityRestorer<?>> restorers =
      new EnumMap<>(Change.EntityType.class);

  public ChangeReverter(
      Database database, ChangeLog changeLog, Clock clock, List<EntityRestorer<?>> restorers) {
    this.database = database;
    this.changeLog = changeLog;
    this.clock = clock;
    restorers.forEach(r -> this.restorers.put(r.type(), r));
  }

  /** The plan for reverting to {@code toRevision}, without writing anything (a dry run). */
  public RevertPlan plan(long toRevision) {
    return database.read(c -> plan(c, toRevision, ChangeLog.latestRevision(c)));
  }

  /**
   * Reverts to {@code toRevision}.
   *
   * @param ifMatch the latest revision the caller planned at (a dry run's ETag), or null
   * @throws ProblemException 412 when the configuration moved since {@code ifMatch}, 409 ({@code
   *     revert-refused}, with the refused entities) when an entity cannot be reverted cleanly
   */
  public RevertPlan revert(long toRevision, Long ifMatch, String actor) {
    var written =
        changeLog.write(
            actor,
            tx -> {
              long latest = tx.nextRevision() - 1;
              if (ifMatch != null && ifMatch != latest) {
                throw new ProblemException(
                    Problem.preconditionFailed(
                        "the configuration moved to revision "
                            + latest
                            + " since the plan at revision "
                            + ifMatch
                            + "; preview the revert again"));
              }
              var plan = plan(tx.connection(), toRevision, latest);
              if (!plan.refused().isEmpty()) {
                throw new ProblemException(refusedProblem(plan));
              }
              var revisions = new ArrayList<Long>(plan.steps().size());
              var now = clock.instant();
              for (var step : plan.steps()) {
                var restorer = restorers.get(step.entityType());
                if (step.after() == null) {
                  restorer.remove(tx.connection(), step.entityId());
                } else {
                  restorer.write(tx.connection(), step.after(), step.before() != null);
                }
                revisions.add(
                    tx.record(
                        step.op(),
                        step.entityType(),
                        step.entityId(),
                        step.before(),
                        step.after(),
                        now));
              }
              return plan.written(revisions);
            });
    for (var step : written.steps()) {
      restorers.get(step.entityType()).committed(step.before(), step.after());
    }
    return written;
  }

  /** The 409 answer to a plan with refused entities: every refused entity with its reason. */
  public static Problem refusedProblem(RevertPlan plan) {
    return Problem.of(
            "revert-refused",
            "Revert refused",
            409,
            plan.refused().size()
                + " entit"
                + (plan.refused().size() == 1 ? "y" : "ies")
                + " changed after revision "
                + plan.toRevision()
                + " cannot be reverted cleanly; nothing was written")
        .with("refused", plan.refused());
  }

  private RevertPlan plan(Connection c, long toRevision, long latest) throws SQLException {
    if (toRevision > latest) {
      throw invalid("is after the latest revision, " + latest);
    }
    var oldest = ChangeLog.oldestRetainedRevision(c);
    if (oldest != null && toRevision + 1 < oldest) {
      throw invalid(
          "is older than the change log reaches: changes up to revision "
              + (oldest - 1)
              + " were pruned, so "
              + (oldest - 1)
              + " is the earliest revision to revert to");
    }
    var steps = new ArrayList<RevertPlan.Step>();
    var refused = new ArrayList<RevertPlan.Entity>();
    var skipped = new ArrayList<RevertPlan.Entity>();
    for (var first : ChangeLog.firstChangesAfter(c, toRevision)) {
      var type = first.entityType();
      var id = first.entityId();
      var restorer = restorers.get(type);
      if (restorer == null) {
        skipped.add(
            new RevertPlan.Entity(
                type,
                id,
                "not configuration (admin tokens are credentials): a revert leaves it as it is"));
        continue;
      }
      if (first.op() != Change.Op.INSERT && first.before() == null) {
        refused.add(
            new RevertPlan.Entity(
                type,
                id,
                "its change at revision "
                    + first.revision()
                    + " was logged before the change log kept before-images, so its earlier"
                    + " state is unknown"));
        continue;
      }
      var target = first.op() == Change.Op.INSERT ? null : first.before();
      var current = restorer.current(c, id);
      if (Objects.equals(current, target)) {
        continue; // back where it was (created and removed again, or an edit and its undo)
      }
      var refusal = restorer.refusal(current, target);
      if (refusal != null) {
        refused.add(new RevertPlan.Entity(type, id, refusal));
        continue;
      }
      var op =
          current == null ? Change.Op.INSERT : target == null ? Change.Op.DELETE : Change.Op.UPDATE;
      steps.add(new RevertPlan.Step(type, id, op, current, target));
    }
    steps.sort(STEP_ORDER);
    return new RevertPlan(toRevision, latest, steps, refused, skipped, List.of());
  }

  private static ProblemException invalid(String message) {
    return new ProblemException(Problem.validation(List.of(new FieldError("toRevision", message))));
  }
}
