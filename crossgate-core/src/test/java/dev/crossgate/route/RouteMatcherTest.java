package dev.crossgate.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteMatcherTest {
  static Route route(
      String id,
      String host,
      String path,
      String version,
      boolean isDefault,
      String pathMatch,
      List<String> methods,
      boolean enabled) {
    var spec =
        new RouteSpec(
            null,
            "svc",
            null,
            null,
            host,
            path,
            pathMatch,
            version,
            isDefault,
            methods,
            "http://up/" + id,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            enabled,
            null,
            null,
            null,
            null);
    return RouteValidator.validate(id, spec, "t", Instant.EPOCH, Instant.EPOCH);
  }

  static Route route(String id, String path) {
    return route(id, null, path, null, false, null, null, true);
  }

  private static RouteMatch match(
      RouteTable table, String host, String path, String method, String acceptVersion) {
    return RouteMatcher.match(table, host, path, method, acceptVersion);
  }

  private static String foundId(RouteMatch m) {
    assertThat(m).isInstanceOf(RouteMatch.Found.class);
    return ((RouteMatch.Found) m).route().id();
  }

  @Test
  void longestPrefixAtASegmentBoundaryWins() {
    var table =
        RouteTable.of(List.of(route("root", "/"), route("a", "/a"), route("ab", "/a/b")), 1);

    assertThat(foundId(match(table, null, "/a/b/c", "GET", null))).isEqualTo("ab");
    assertThat(foundId(match(table, null, "/a/bc", "GET", null))).isEqualTo("a");
    assertThat(foundId(match(table, null, "/ab", "GET", null))).isEqualTo("root");
    assertThat(((RouteMatch.Found) match(table, null, "/a/bc", "GET", null)).remainder())
        .isEqualTo("/bc");
  }

  @Test
  void exactBeatsPrefixAtTheSamePathAndMatchesOnlyThatPath() {
    var table =
        RouteTable.of(
            List.of(route("p", "/a"), route("e", null, "/a", null, false, "EXACT", null, true)), 1);

    assertThat(foundId(match(table, null, "/a", "GET", null))).isEqualTo("e");
    assertThat(foundId(match(table, null, "/a/x", "GET", null))).isEqualTo("p");
  }

  @Test
  void versionsByPathHeaderAndDefault() {
    var table =
        RouteTable.of(
            List.of(
                route("v1", null, "/shop", "v1", false, null, null, true),
                route("v2", null, "/shop", "v2", true, null, null, true)),
            1);

    var byPath = (RouteMatch.Found) match(table, null, "/shop/v1/x", "GET", null);
    assertThat(byPath.route().id()).isEqualTo("v1");
    assertThat(byPath.remainder()).isEqualTo("/x");
    assertThat(byPath.version()).isEqualTo("v1");
    assertThat(foundId(match(table, null, "/shop/x", "GET", "v1"))).isEqualTo("v1");
    assertThat(foundId(match(table, null, "/shop/x", "GET", null))).isEqualTo("v2");
    assertThat(match(table, null, "/shop/x", "GET", "v7")).isInstanceOf(RouteMatch.NotFound.class);
  }

  @Test
  void aSegmentOfTheShapeOfTheSourcesVersionsButNoneOfThemIsVersionNotFound() {
    var dotted =
        RouteTable.of(
            List.of(
                route("old", null, "/pay", "2.1", true, null, null, true),
                route("new", null, "/pay", "3.0", false, null, null, true),
                route("other", null, "/other", null, false, null, null, true)),
            1);
    var withoutDefault =
        RouteTable.of(
            List.of(
                route("v1", null, "/shop", "v1", false, null, null, true),
                route("root", null, "/", null, false, null, null, true)),
            1);

    var unknown = match(dotted, null, "/pay/4.2/x", "GET", null);

    assertThat(unknown).isInstanceOf(RouteMatch.VersionNotFound.class);
    assertThat(((RouteMatch.VersionNotFound) unknown).versions()).containsExactly("2.1", "3.0");
    assertThat(((RouteMatch.VersionNotFound) unknown).sourcePath()).isEqualTo("/pay");
    assertThat(foundId(match(dotted, null, "/pay/4/x", "GET", null))).isEqualTo("old");
    assertThat(foundId(match(dotted, null, "/pay/4.2.1/x", "GET", null))).isEqualTo("old");
    assertThat(foundId(match(dotted, null, "/pay/v4.2/x", "GET", null))).isEqualTo("old");
    assertThat(foundId(match(dotted, null, "/other/4.2", "GET", null))).isEqualTo("other");
    assertThat(match(withoutDefault, null, "/shop/v2/x", "GET", null))
        .isInstanceOf(RouteMatch.VersionNotFound.class);
    assertThat(foundId(match(withoutDefault, null, "/shop/x", "GET", null))).isEqualTo("root");
  }

  @Test
  void anAcceptVersionHeaderIsIgnoredByAnUnversionedRoute() {
    var table = RouteTable.of(List.of(route("plain", "/plain")), 1);

    assertThat(foundId(match(table, null, "/plain/x", "GET", "v1"))).isEqualTo("plain");
  }

  @Test
  void hostsMatchExactThenWildcardsThenAny() {
    var table =
        RouteTable.of(
            List.of(
                route("exact", "api.example.com", "/", null, false, null, null, true),
                route("wild", "*.example.com", "/", null, false, null, null, true),
                route("any", null, "/", null, false, null, null, true)),
            1);

    assertThat(foundId(match(table, "API.example.com:443", "/x", "GET", null))).isEqualTo("exact");
    assertThat(foundId(match(table, "a.b.example.com", "/x", "GET", null))).isEqualTo("wild");
    assertThat(foundId(match(table, "example.org", "/x", "GET", null))).isEqualTo("any");
    assertThat(foundId(match(table, null, "/x", "GET", null))).isEqualTo("any");
    assertThat(foundId(match(table, "[::1]:8080", "/x", "GET", null))).isEqualTo("any");
  }

  @Test
  void aPathOwnedOnlyForOtherMethodsIsMethodNotAllowedWithTheAllowedOnes() {
    var table =
        RouteTable.of(
            List.of(route("g", null, "/a", null, false, null, List.of("GET", "POST"), true)), 1);

    var m = match(table, null, "/a/1", "DELETE", null);

    assertThat(m).isInstanceOf(RouteMatch.MethodNotAllowed.class);
    assertThat(((RouteMatch.MethodNotAllowed) m).allowed())
        .containsExactlyInAnyOrder("GET", "POST");
  }

  @Test
  void disabledRoutesDoNotMatch() {
    var table = RouteTable.of(List.of(route("off", null, "/a", null, false, null, null, false)), 1);

    assertThat(match(table, null, "/a", "GET", null)).isInstanceOf(RouteMatch.NotFound.class);
  }

  @Test
  void matchingCostDoesNotDependOnTheNumberOfRoutes() {
    var many = new java.util.ArrayList<Route>();
    for (int i = 0; i < 20_000; i++) {
      many.add(route("r" + i, "/svc" + i));
    }
    many.add(route("last", "/wanted"));
    var lookups = new int[1];
    var big = RouteTable.of(many, 1);
    RouteSource counting =
        (host, path) -> {
          lookups[0]++;
          return big.routesAt(host, path);
        };

    var m = RouteMatcher.match(counting, "h.example.com", "/wanted/a/b", "GET", null);

    assertThat(foundId(m)).isEqualTo("last");
    assertThat(lookups[0]).isLessThanOrEqualTo((3 + 2) * 4);
  }
}
