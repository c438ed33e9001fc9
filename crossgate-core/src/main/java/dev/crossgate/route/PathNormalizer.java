package dev.crossgate.route;

import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;

/**
 * Normalises a request path before matching, so that no spelling of a path reaches a route the
 * plain spelling would not: percent-encoded unreserved characters are decoded (RFC 3986 section
 * 6.2.2.2), empty segments merged, and dot segments removed (section 5.2.4, clamped at the root).
 * Encoded slashes, backslashes and NUL are refused rather than guessed at, because upstreams
 * disagree on what they mean; that refusal is the defence against {@code %2F} and {@code %2e%2e}
 * bypasses of path-based rules. For the same reason a {@code ;} is refused: RFC 3986 section 3.3
 * allows it in a segment, but servlet containers strip {@code ;params} before resolving dot
 * segments, so an upstream reads {@code /shop/..;/admin} as {@code /admin} after the gateway
 * matched {@code /shop}. A {@code #} is refused too: a fragment is never part of a request target
 * (RFC 9112 section 3.2), so one arriving there is an attempt to confuse a parser.
 */
public final class PathNormalizer {
  private PathNormalizer() {}

  /**
   * Refuses a path that is not already in normal form: dot segments ({@code .}, {@code ..}, also as
   * {@code %2e}), empty segments ({@code //}), encoded unreserved characters, and {@code ;} path
   * parameters ({@code ..;} is how Tomcat-style servers are tricked). Where a decision is taken on
   * the path (authorisation, forwarding), authorising one spelling while a router serves another is
   * how such checks are bypassed; refusing every other spelling closes that gap.
   *
   * @return {@code rawPath}, unchanged
   * @throws ProblemException 400 naming what is wrong
   */
  public static String requireNormalForm(String rawPath) {
    var normal = normalize(rawPath); // refuses ';', '#', encoded slashes on its own
    if (!normal.equals(rawPath)) {
      throw new ProblemException(
          Problem.badRequest(
              "the request path is not in normal form (dot segments, '//' or encoded characters); send "
                  + normal));
    }
    return rawPath;
  }

  /**
   * @param rawPath the request target's path, still percent-encoded, without query
   * @return the normalised path, starting with '/', percent-encoding kept for reserved characters
   * @throws ProblemException 400 when the path cannot be normalised safely
   */
  public static String normalize(String rawPath) {
    if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/') {
      throw new ProblemException(Problem.badRequest("the request path must start with '/'"));
    }
    var decoded = decodeUnreserved(rawPath);
    if (decoded == rawPath && rawPath.indexOf("//") < 0 && rawPath.indexOf("/.") < 0) {
      // nothing was decoded and there is no empty or dot segment: already normal (most requests)
      return rawPath;
    }
    var out = new StringBuilder(decoded.length());
    int i = 0;
    int n = decoded.length();
    while (i < n) {
      int next = decoded.indexOf('/', i + 1);
      if (next < 0) {
        next = n;
      }
      var segment = decoded.substring(i + 1, next);
      if (segment.equals("..")) {
        int lastSlash = out.lastIndexOf("/");
        out.setLength(Math.max(lastSlash, 0));
      } else if (!segment.isEmpty() && !segment.equals(".")) {
        out.append('/').append(segment);
      }
      i = next;
    }
    // keep a trailing slash: "/dir/" and "/dir" may be different resources upstream
    boolean trailing = decoded.length() > 1 && decoded.endsWith("/") && out.length() > 0;
    if (out.length() == 0) {
      return "/";
    }
    return trailing ? out.append('/').toString() : out.toString();
  }

  /**
   * True when {@code rawPath} is already in the one canonical spelling {@link #normalize} gives: no
   * dot segments (plain or {@code %2e}), no empty segments ({@code //}), no {@code ;}, no
   * percent-encoded unreserved character and upper-case escapes. For places that forward a path
   * rather than match it (a node's admin port): there a path in another spelling is refused, not
   * rewritten, so what is checked is exactly what is sent.
   */
  public static boolean isNormalForm(String rawPath) {
    try {
      return normalize(rawPath).equals(rawPath);
    } catch (ProblemException e) {
      return false;
    }
  }

  private static String decodeUnreserved(String raw) {
    if (raw.indexOf('%') < 0) {
      checkChars(raw);
      return raw;
    }
    var sb = new StringBuilder(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c != '%') {
        sb.append(c);
        continue;
      }
      if (i + 2 >= raw.length() || hex(raw.charAt(i + 1)) < 0 || hex(raw.charAt(i + 2)) < 0) {
        throw new ProblemException(
            Problem.badRequest("the request path has a malformed percent-encoding"));
      }
      int value = hex(raw.charAt(i + 1)) * 16 + hex(raw.charAt(i + 2));
      if (value == '/' || value == '\\' || value == 0) {
        throw new ProblemException(
            Problem.badRequest(
                "the request path contains an encoded slash, backslash or NUL, which is not accepted"));
      }
      if (isUnreserved(value)) {
        sb.append((char) value);
      } else {
        sb.append('%')
            .append(Character.toUpperCase(raw.charAt(i + 1)))
            .append(Character.toUpperCase(raw.charAt(i + 2)));
      }
      i += 2;
    }
    var result = sb.toString();
    checkChars(result);
    return result;
  }

  private static void checkChars(String path) {
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c < 0x21 || c == 0x7f || c == '\\') {
        throw new ProblemException(
            Problem.badRequest(
                "the request path contains a space, control character or backslash"));
      }
      if (c == ';' || c == '#') {
        throw new ProblemException(
            Problem.badRequest(
                "the request path contains ';' (path parameters) or '#' (a fragment), which are not accepted"));
      }
    }
  }

  private static boolean isUnreserved(int c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~';
  }

  private static int hex(char c) {
    return Character.digit(c, 16);
  }
}
