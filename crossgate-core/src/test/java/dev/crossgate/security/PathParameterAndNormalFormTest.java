package dev.crossgate.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossgate.problem.ProblemException;
import dev.crossgate.route.PathNormalizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The path rules both edges rely on: the traffic port refuses what an upstream could read as
 * another path ({@code ..;}, {@code ;params}, fragments), and a node's admin port forwards only
 * paths already in normal form.
 */
class PathParameterAndNormalFormTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/shop/v1/..;/admin",
        "/shop/v1/..;x=1/admin",
        "/shop;jsessionid=1/x",
        "/shop/.;/x",
        "/shop/x#frag",
        "/shop/%2e%2e;/admin"
      })
  void pathParametersAndFragmentsAreRefusedBeforeMatching(String raw) {
    assertThatThrownBy(() -> PathNormalizer.normalize(raw))
        .isInstanceOf(ProblemException.class)
        .satisfies(
            e -> {
              var problem = ((ProblemException) e).problem();
              assertThat(problem.status()).isEqualTo(400);
              assertThat(problem.typeName()).isEqualTo("bad-request");
            });
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/admin/routes",
        "/admin/routes/",
        "/admin/tenants/acme/extensions/order.validate",
        "/admin/a%20b",
        "/admin/caf%C3%A9",
        "/admin/x%3By"
      })
  void pathsInNormalFormAreRecognised(String raw) {
    assertThat(PathNormalizer.isNormalForm(raw)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/admin/../steal",
        "/admin/./routes",
        "/admin/%2e%2e/steal",
        "/admin/%2E/routes",
        "//admin/routes",
        "/admin//routes",
        "/admin/..;/steal",
        "/admin;x/routes",
        "/admin/%7Euser",
        "/admin/a%3by",
        "/admin/%2F",
        "admin/routes",
        "",
        "/admin/x#y",
        "/admin/a b"
      })
  void pathsInAnyOtherSpellingAreNotInNormalForm(String raw) {
    assertThat(PathNormalizer.isNormalForm(raw)).isFalse();
  }
}
