package dev.crossgate.store.route;

/**
 * Filters and paging of the route list; null filters match everything.
 *
 * @param cursor the {@code next} of the previous page (the last route id it held), or null for the
 *     first page; anything else is refused, so a garbage cursor is a 400, never some other page
 */
public record RouteQuery(String service, String sourcePath, String version, int limit, String cursor) {
  public static final int MAX_LIMIT = 500;
  private static final java.util.regex.Pattern ROUTE_ID = java.util.regex.Pattern.compile("rt_[A-Za-z0-9_-]{1,64}");

  public RouteQuery {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT);
    }
    if (cursor != null && !ROUTE_ID.matcher(cursor).matches()) {
      throw new dev.crossgate.problem.ProblemException(dev.crossgate.problem.Problem.validation(java.util.List.of(
          new dev.crossgate.problem.FieldError("cursor", "is not a cursor this API returned (use the 'next' of a page)"))));
    }
  }
}
