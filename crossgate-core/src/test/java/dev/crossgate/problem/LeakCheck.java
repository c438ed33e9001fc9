package dev.crossgate.problem;

/**
 * What an attack test searches for leaks in: an answer without its random parts, so that a check
 * such as "the body does not mention 401" cannot be tripped by a request id or an ephemeral port
 * (40125, say) that happens to contain those digits.
 */
public final class LeakCheck {
  private LeakCheck() {}

  /**
   * {@code body} without the values of {@code instance}, {@code requestId}, the request-id URN and
   * the ports of the URLs it quotes.
   */
  public static String withoutRandomParts(String body) {
    return body.replaceAll("\"(instance|requestId)\"\\s*:\\s*\"[^\"]*\"", "\"$1\":\"-\"")
        .replaceAll("urn:crossgate:request:[0-9a-zA-Z_-]+", "urn:crossgate:request:-")
        .replaceAll("(://[^/:\\s\"]+):[0-9]+", "$1:PORT");
  }
}
