package dev.crossgate.transfer;

import dev.crossgate.problem.ProblemException;
import java.util.regex.Pattern;

/**
 * Client-chosen transfer ids. They become directory names, so only a safe alphabet is allowed:
 * letters, digits, {@code _ - .}, at most 128 characters, not starting with a dot (no {@code ..},
 * no hidden files) — a path can never escape the owner's directory.
 */
final class TransferIds {
  static final int MAX_LENGTH = 128;
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_\\-][A-Za-z0-9_.\\-]{0,127}");

  private TransferIds() {}

  static String require(String field, String id) {
    if (id == null || id.isEmpty()) {
      throw new ProblemException(TransferProblems.invalid(field, "is required"));
    }
    if (!SAFE.matcher(id).matches()) {
      throw new ProblemException(
          TransferProblems.invalid(
              field,
              "must be 1 to "
                  + MAX_LENGTH
                  + " characters of A-Z a-z 0-9 _ - . and not start with a dot"));
    }
    return id;
  }
}
