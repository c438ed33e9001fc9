package dev.crossgate.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossgate.problem.ProblemException;
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
}
