package dev.crossgate.gateway.filter;

import static dev.crossgate.gateway.kit.GatewayKit.filter;
import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.filter.FilterRule.Kind;
import dev.crossgate.gateway.kit.GatewayKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Spellings of /admin that must not slip past a rule on /admin nor reach the public route as
 * /admin.
 */
class NormalizationBypassTest {
  private final GatewayKit kit = GatewayKit.start();

  @BeforeEach
  void routesAndRule() {
    kit.routes(
        route("public", "/public", kit.target("/pub")).build(),
        route("admin", "/admin", kit.target("/adm")).build());
    kit.filters(filter("no-admin", Kind.PATH_PREFIX, "/admin"));
  }

  @AfterEach
  void close() {
    kit.close();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/public/../admin",
        "/public/%2e%2e/admin",
        "/public/.%2E/admin",
        "/%61dmin/x",
        "//admin",
        "/./admin",
        "/admin/",
        "/public/../../admin/x",
        "/ADMIN/../admin"
      })
  void dotSegmentsAndEncodedUnreservedCharactersResolveToTheFilteredPath(String path) {
    var reply = kit.get(path);

    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.problemType()).isEqualTo("filtered");
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/public%2F..%2Fadmin",
        "/public/..%2fadmin",
        "/public%5C..%5Cadmin",
        "/public/%00/admin",
        "/public/%zz"
      })
  void encodedSlashesBackslashesNulAndBadEscapesAreBadRequests(String path) {
    var reply = kit.get(path);

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.problemType()).isEqualTo("bad-request");
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @ParameterizedTest
  @CsvSource({"/public/x/../y, /pub/y", "/public/%7Euser, /pub/~user"})
  void theUpstreamReceivesTheNormalisedPath(String path, String expected) {
    var reply = kit.get(path);

    assertThat(reply.status()).isEqualTo(200);
    assertThat(kit.upstream.next().uri()).isEqualTo(expected);
  }
}
