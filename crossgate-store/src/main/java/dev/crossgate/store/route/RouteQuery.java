package dev.crossgate.store.route;

import dev.crossgate.store.PageCursor;

/**
 * Filters, order and paging of the route list; null filters match everything.
 *
 * @param search a case-insensitive substring of the service, the source host or the source path
 *     ({@code bulk} finds {@code /bulk-upload} and service {@code bulk})
 * @param order {@link Order#ID} (creation order) or {@link Order#SERVICE} (by service, then source
 *     path: what a person scanning the list expects); paging is stable in both
 * @param cursor the {@code nextCursor} of the previous page, or null for the first page; anything
 *     else is refused, so a garbage cursor is a 400, never some other page
 */
public record RouteQuery(
    String service,
    String sourcePath,
    String version,
    String search,
    Order order,
    int limit,
    String cursor) {
  public static final int MAX_LIMIT = 500;

  /** How the list is sorted; each order has its own cursor kind. */
  public enum Order {
    ID("routes", 1),
    SERVICE("routes-by-service", 3);

    final String cursorKind;
    final int keys;

    Order(String cursorKind, int keys) {
      this.cursorKind = cursorKind;
      this.keys = keys;
    }
  }

  public RouteQuery {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT);
    }
    order = order == null ? Order.ID : order;
    search = search == null || search.isBlank() ? null : search.trim();
    if (cursor != null) {
      PageCursor.decode(order.cursorKind, order.keys, cursor);
    }
  }

  /** Exact filters only, in creation order. */
  public RouteQuery(String service, String sourcePath, String version, int limit, String cursor) {
    this(service, sourcePath, version, null, Order.ID, limit, cursor);
  }

  /**
   * The sort key of the last route of the previous page ({@code [id]} or {@code [service,
   * sourcePath, id]}), or null for the first page.
   */
  java.util.List<String> after() {
    return cursor == null ? null : PageCursor.decode(order.cursorKind, order.keys, cursor);
  }
}
