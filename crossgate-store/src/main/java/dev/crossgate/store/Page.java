package dev.crossgate.store;

import java.util.List;

/** One page of a list, with the cursor of the next page (null on the last page). */
public record Page<T>(List<T> items, String nextCursor) {
  public Page {
    items = List.copyOf(items);
  }
}
