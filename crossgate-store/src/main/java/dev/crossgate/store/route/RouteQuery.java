package dev.crossgate.store.route;

/** Filters and paging of the route list; null filters match everything. */
public record RouteQuery(String service, String sourcePath, String version, int limit, String cursor) {
  public static final int MAX_LIMIT = 500;

  public RouteQuery {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT);
    }
  }
}
