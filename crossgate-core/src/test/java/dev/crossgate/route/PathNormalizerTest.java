package dev.crossgate.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossgate.problem.ProblemException;
import java.util.ArrayDeque;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathNormalizerTest {

  @ParameterizedTest
  @CsvSource({
    "/, /",
    "/a/b, /a/b",
    "/a//b, /a/b",
    "/a/./b, /a/b",
    "/a/../b, /b",
    "/../../a, /a",
    "/a/b/.., /a",
    "/a/, /a/",
    "/%61%7e, /a~",
    "/a%2e%2e/x, /a../x",
    "/%2e%2e/admin, /admin",
    "/x/.%2E/admin, /admin",
    "/a%20b, /a%20b",
    "/a%3fb, /a%3Fb",
    "/caf%C3%A9, /caf%C3%A9",
  })
  void normalisesDotSegmentsAndUnreservedEscapes(String raw, String expected) {
    assertThat(PathNormalizer.normalize(raw)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/a%2Fb", "/a%2fb", "/a%5Cb", "/a%00", "/a\\b", "/a b", "/a%", "/a%4", "/a%zz", "a/b", ""
      })
  void refusesWhatCannotBeNormalisedSafely(String raw) {
    assertThatThrownBy(() -> PathNormalizer.normalize(raw))
        .isInstanceOf(ProblemException.class)
        .satisfies(e -> assertThat(((ProblemException) e).problem().status()).isEqualTo(400));
  }

  @ParameterizedTest
  // a trailing dot segment goes with its slash (RFC 3986 would keep "/admin/"; both match the same
  // routes)
  @CsvSource({
    "/public/../admin, /admin",
    "/public/%2e%2e/admin, /admin",
    "/%2E%2E/admin, /admin",
    "//admin, /admin",
    "/./admin/., /admin",
    "/public/x/../../admin, /admin"
  })
  void everyDotSpellingOfAdminIsAdmin(String raw, String expected) {
    assertThat(PathNormalizer.normalize(raw)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/admin/tenants/beta/extensions/..",
        "/admin/./tokens",
        "/admin//tokens",
        "/admin/%2e%2e/x",
        "/admin/x/..;/tokens",
        "/admin/x;jsessionid=1",
        "/admin/%61dmin"
      })
  void refusesEverySpellingButTheNormalOneWhereThePathIsAuthorised(String raw) {
    assertThatThrownBy(() -> PathNormalizer.requireNormalForm(raw))
        .isInstanceOf(ProblemException.class)
        .satisfies(e -> assertThat(((ProblemException) e).problem().status()).isEqualTo(400));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"/admin/tenants/acme/extensions", "/admin/routes/rt_1", "/", "/admin/a%20b/"})
  void acceptsAPathAlreadyInNormalFormUnchanged(String raw) {
    assertThat(PathNormalizer.requireNormalForm(raw)).isEqualTo(raw);
  }

  /**
   * normalize skips its rewrite for a path that needs none: 20,000 random paths made of the pieces
   * that matter (dots, slashes, escapes, plain letters) give what a plain stack of segments gives.
   */
  @Test
  void aRandomPathNormalisesAsAStackOfSegmentsWould() {
    var random = new Random(16);
    String[] pieces = {"/", "a", "b", ".", "..", "%2e", "%41", "//", "/.", "x.y", ".well-known"};
    for (int n = 0; n < 20_000; n++) {
      var raw = new StringBuilder("/");
      for (int k = random.nextInt(8); k > 0; k--) {
        raw.append(pieces[random.nextInt(pieces.length)]);
      }
      var path = raw.toString();
      assertThat(PathNormalizer.normalize(path)).as(path).isEqualTo(segmentStack(path));
    }
  }

  /**
   * The reference: decode %2e and %41, then keep segments on a stack, ".." popping, "." and ""
   * dropped.
   */
  private static String segmentStack(String raw) {
    var decoded = raw.replace("%2e", ".").replace("%41", "A");
    var kept = new ArrayDeque<String>();
    for (var segment : decoded.substring(1).split("/", -1)) {
      if (segment.equals("..")) {
        kept.pollLast();
      } else if (!segment.isEmpty() && !segment.equals(".")) {
        kept.addLast(segment);
      }
    }
    if (kept.isEmpty()) {
      return "/";
    }
    var out = "/" + String.join("/", kept);
    return decoded.length() > 1 && decoded.endsWith("/") ? out + "/" : out;
  }
}
