package dev.crossgate.admin.task;

import dev.crossgate.admin.http.AdminEndpoint;
import dev.crossgate.admin.http.Replies;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.Database;
import dev.crossgate.store.task.TaskQuery;
import dev.crossgate.store.task.TaskRepository;
import dev.crossgate.store.task.TaskStatus;
import dev.crossgate.store.task.TaskView;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;

/**
 * {@code GET /admin/tasks?owner=&status=&limit=&cursor=}: the operators' view of async tasks in the
 * shared task table, newest first, with owner and route but never a task secret or body; paged by
 * the opaque {@code nextCursor} of the previous page, like the route list.
 */
public final class TaskListEndpoint implements AdminEndpoint {
  private final TaskRepository tasks;
  private final Clock clock;

  public TaskListEndpoint(Database database, Clock clock) {
    this.tasks = new TaskRepository(database);
    this.clock = clock;
  }

  @Override
  public void mount(Router router) {
    router
        .get("/admin/tasks")
        .handler(
            ctx -> {
              var q = ctx.queryParams();
              var query =
                  new TaskQuery(
                      q.get("owner"),
                      status(q.get("status")),
                      Replies.intParam(ctx, "limit", 100, 1, TaskQuery.MAX_LIMIT),
                      q.get("cursor"));
              Replies.blocking(
                  ctx,
                  200,
                  () -> {
                    var now = clock.instant();
                    var page = tasks.list(query);
                    var body = new LinkedHashMap<String, Object>();
                    body.put("total", tasks.count());
                    body.put(
                        "items",
                        page.items().stream().map(t -> TaskView.of(t, now, true)).toList());
                    if (page.nextCursor() != null) {
                      body.put("nextCursor", page.nextCursor());
                    }
                    return body;
                  });
            });
  }

  private static TaskStatus status(String raw) {
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    try {
      return TaskStatus.valueOf(raw.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ProblemException(
          Problem.validation(
              List.of(
                  new FieldError(
                      "status", "must be one of PENDING, RUNNING, DONE, FAILED, EXPIRED"))));
    }
  }
}
