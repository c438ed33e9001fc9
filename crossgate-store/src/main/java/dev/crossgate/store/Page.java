package dev.crossgate.store;

import java.util.List;
import java.util.function.Function;

/** One page of a list, with the cursor of the next page (null on the last page). */
public record Page<T>(List<T> items, String nextCursor) {
  public Page {
    items = List.copyOf(items);
  }

  /**
   * The page of a keyset query that asked for {@code limit + 1} rows: the extra row only says that
   * another page follows, whose cursor {@code cursorAfter} makes from the last row shown.
   */
  public static <T> Page<T> of(List<T> rows, int limit, Function<T, String> cursorAfter) {
    if (rows.size() <= limit) {
      return new Page<>(rows, null);
    }
    var shown = rows.subList(0, limit);
    return new Page<>(shown, cursorAfter.apply(shown.get(limit - 1)));
  }
}
