package dev.crossgate.problem;

/**
 * What an attack test searches for leaks in: an answer without its random request id, so that a
 * check such as "the body does not mention 401" cannot be tripped by an id that happens to contain
 * those digits.
 */
public final class LeakCheck {
  private LeakCheck() {}

  /**
   * {@code body} without the values of {@code instance}, {@code requestId} and the request-id URN.
   */
  public static String withoutRequestIds(String body) {
    return body.replaceAll("\"(instance|requestId)\"\\s*:\\s*\"[^\"]*\"", "\"$1\":\"-\"")
        .replaceAll("urn:crossgate:request:[0-9a-zA-Z_-]+", "urn:crossgate:request:-");
  }
}
