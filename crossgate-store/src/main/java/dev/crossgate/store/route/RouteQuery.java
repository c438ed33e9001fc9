package dev.crossgate.store.route;

import dev.crossgate.store.PageCursor;

/**
 * Filters and paging of the route list; null filters match everything.
 *
 * @param cursor the {@code nextCursor} of the previous page, or null for the first page; anything
 *     else is refused, so a garbage cursor is a 400, never some other page
 */
public record RouteQuery(
    String service, String sourcePath, String version, int limit, String cursor) {
  public static final int MAX_LIMIT = 500;
  static final String CURSOR_KIND = "routes";

  public RouteQuery {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT);
    }
    if (cursor != null) {
      PageCursor.decode(CURSOR_KIND, 1, cursor);
    }
  }

  /** The id of the last route of the previous page, or null for the first page. */
  String afterId() {
    return cursor == null ? null : PageCursor.decode(CURSOR_KIND, 1, cursor).get(0);
  }
}
