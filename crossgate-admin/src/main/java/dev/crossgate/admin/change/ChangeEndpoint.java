package dev.crossgate.admin.change;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.admin.auth.AdminAuth;
import dev.crossgate.admin.http.AdminEndpoint;
import dev.crossgate.admin.http.ETags;
import dev.crossgate.admin.http.Replies;
import dev.crossgate.change.Change;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.ChangeLog;
import dev.crossgate.store.revert.ChangeReverter;
import dev.crossgate.store.revert.RevertPlan;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /admin/changes?after=REV&limit=N}: the change log, oldest first, each change with the
 * entity before and after it. {@code POST /admin/changes/revert}: the configuration back to a
 * revision, as new revisions; {@code dryRun} answers the plan without writing, with the revision it
 * was made at as ETag, which a confirming request sends as If-Match so that it applies exactly the
 * plan it previewed.
 */
public final class ChangeEndpoint implements AdminEndpoint {
  private final ChangeLog changeLog;
  private final ChangeReverter reverter;

  public ChangeEndpoint(ChangeLog changeLog, ChangeReverter reverter) {
    this.changeLog = changeLog;
    this.reverter = reverter;
  }

  /** The body of {@code POST /admin/changes/revert}. */
  public record RevertRequest(Long toRevision, Boolean dryRun) {}

  /**
   * The answer to a revert: the inverse changes (with the revision each was written at, unless a
   * dry run), the entities left as they are, and the latest revision afterwards.
   */
  public record RevertAnswer(
      long toRevision,
      long fromRevision,
      boolean dryRun,
      long latestRevision,
      List<Item> changes,
      List<RevertPlan.Entity> skipped) {}

  /** One inverse change, shaped like a change-log row. */
  public record Item(
      Long revision,
      Change.Op op,
      Change.EntityType entityType,
      String entityId,
      JsonNode before,
      JsonNode after) {}

  @Override
  public void mount(Router router) {
    router
        .get("/admin/changes")
        .handler(
            ctx -> {
              long after = parseAfter(ctx.queryParams().get("after"));
              int limit = Replies.intParam(ctx, "limit", 100, 1, 1000);
              Replies.blocking(
                  ctx,
                  200,
                  () ->
                      Map.of(
                          "latestRevision", changeLog.latestRevision(),
                          "items", changeLog.after(after, limit)));
            });
    router.post("/admin/changes/revert").handler(this::revert);
  }

  private void revert(RoutingContext ctx) {
    var request = Replies.body(ctx, RevertRequest.class);
    if (request.toRevision() == null || request.toRevision() < 0) {
      throw new ProblemException(
          Problem.validation(
              List.of(
                  new FieldError(
                      "toRevision",
                      request.toRevision() == null
                          ? "is required: the revision to bring the configuration back to"
                          : "must be a revision (0 or more)"))));
    }
    long to = request.toRevision();
    boolean dryRun = Boolean.TRUE.equals(request.dryRun());
    var ifMatch = ETags.ifMatch(ctx);
    var actor = AdminAuth.actor(ctx);
    Replies.offload(ctx, () -> dryRun ? reverter.plan(to) : reverter.revert(to, ifMatch, actor))
        .onSuccess(
            plan -> {
              if (dryRun && !plan.refused().isEmpty()) {
                ctx.fail(new ProblemException(ChangeReverter.refusedProblem(plan)));
                return;
              }
              var answer = answer(plan, dryRun);
              ctx.response().putHeader("etag", ETags.of(answer.latestRevision()));
              Replies.json(ctx, 200, answer);
            })
        .onFailure(ctx::fail);
  }

  private static RevertAnswer answer(RevertPlan plan, boolean dryRun) {
    var items = new ArrayList<Item>(plan.steps().size());
    for (int i = 0; i < plan.steps().size(); i++) {
      var step = plan.steps().get(i);
      items.add(
          new Item(
              dryRun ? null : plan.revisions().get(i),
              step.op(),
              step.entityType(),
              step.entityId(),
              step.before(),
              step.after()));
    }
    long latest =
        plan.revisions().isEmpty()
            ? plan.fromRevision()
            : plan.revisions().get(plan.revisions().size() - 1);
    return new RevertAnswer(
        plan.toRevision(), plan.fromRevision(), dryRun, latest, items, plan.skipped());
  }

  private static long parseAfter(String raw) {
    if (raw == null || raw.isEmpty()) {
      return 0;
    }
    try {
      long v = Long.parseLong(raw);
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new ProblemException(
        Problem.validation(List.of(new FieldError("after", "must be a revision (0 or more)"))));
  }
}
