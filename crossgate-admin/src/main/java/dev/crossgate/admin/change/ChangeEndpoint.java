package dev.crossgate.admin.change;

import dev.crossgate.admin.http.AdminEndpoint;
import dev.crossgate.admin.http.Replies;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.ChangeLog;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.Map;

/** {@code GET /admin/changes?after=REV&limit=N}: the change log, oldest first. */
public final class ChangeEndpoint implements AdminEndpoint {
  private final ChangeLog changeLog;

  public ChangeEndpoint(ChangeLog changeLog) {
    this.changeLog = changeLog;
  }

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
