package dev.crossgate.store.task;

import dev.crossgate.store.PageCursor;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;

/**
 * Filters and paging of the task list (newest first, ties by task id); null filters match
 * everything.
 *
 * @param cursor the {@code nextCursor} of the previous page, or null for the first page; anything
 *     else is refused, so a garbage cursor is a 400, never the first page
 */
public record TaskQuery(String owner, TaskStatus status, int limit, String cursor) {
  public static final int MAX_LIMIT = 1000;
  private static final String CURSOR_KIND = "tasks";

  public TaskQuery {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT);
    }
    if (cursor != null) {
      after(cursor);
    }
  }

  /**
   * The (created_at, task_id) of the last task of the previous page, or null for the first page.
   */
  After after() {
    return cursor == null ? null : after(cursor);
  }

  static String cursorAfter(TaskRecord last) {
    return PageCursor.encode(CURSOR_KIND, last.createdAt().toString(), last.taskId());
  }

  private static After after(String cursor) {
    List<String> key = PageCursor.decode(CURSOR_KIND, 2, cursor);
    try {
      return new After(Instant.parse(key.get(0)), key.get(1));
    } catch (DateTimeException e) {
      throw PageCursor.notIssued();
    }
  }

  /** Where the previous page ended. */
  record After(Instant createdAt, String taskId) {}
}
