package dev.crossgate.store;

import dev.crossgate.auth.Secrets;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;

/**
 * The opaque {@code nextCursor} of every keyset-paged list: the kind of list and the sort key of
 * the last row of a page, with a check value, in base64url. A cursor the API did not issue for this
 * list (garbage, edited, from another list) is a 400 naming {@code cursor}, never some other page.
 * The check value is a digest, not a secret: it catches garbage and edits, and a cursor forged
 * anyway only selects rows the caller may list.
 */
public final class PageCursor {
  private static final String SEPARATOR = "\n";

  private PageCursor() {}

  /** The cursor after the row with these sort-key values; no value may contain a newline. */
  public static String encode(String kind, String... values) {
    var text = kind + SEPARATOR + String.join(SEPARATOR, values);
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((text + SEPARATOR + check(text)).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The sort-key values of a cursor of {@code kind} carrying {@code count} values.
   *
   * @throws ProblemException 400 with a field error on {@code cursor} for anything else
   */
  public static List<String> decode(String kind, int count, String cursor) {
    String decoded;
    try {
      decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw notIssued();
    }
    int end = decoded.lastIndexOf(SEPARATOR);
    var text = end < 0 ? "" : decoded.substring(0, end);
    var check = decoded.substring(end + 1).getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(check, check(text).getBytes(StandardCharsets.UTF_8))) {
      throw notIssued();
    }
    var parts = List.of(text.split(SEPARATOR, -1));
    if (parts.size() != count + 1 || !parts.get(0).equals(kind)) {
      throw notIssued();
    }
    return parts.subList(1, parts.size());
  }

  /**
   * The refusal of a cursor this API did not issue, also for a checked value that does not parse.
   */
  public static ProblemException notIssued() {
    return new ProblemException(
        Problem.validation(
            List.of(
                new FieldError(
                    "cursor",
                    "is not a cursor this API returned (use the 'nextCursor' of a page)"))));
  }

  private static String check(String text) {
    return Secrets.sha256Hex(text).substring(0, 16);
  }
}
