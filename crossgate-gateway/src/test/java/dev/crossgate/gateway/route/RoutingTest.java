package dev.crossgate.gateway.route;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.kit.GatewayKit;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RoutingTest {
  private final GatewayKit kit = GatewayKit.start();

  @AfterEach
  void close() {
    kit.close();
  }

  @Test
  void versionInThePathSelectsThatVersionsTargetAndTheRemainderAndQueryAreKept() {
    kit.routes(
        route("v1", "/shop", kit.target("/home")).version("v1", false).build(),
        route("v2", "/shop", kit.target("/index")).version("v2", true).build());

    var v1 = kit.get("/shop/v1/x/y?q=1&r=a%20b");
    var atV1 = kit.upstream.next();
    var v2 = kit.get("/shop/v2/x");
    var atV2 = kit.upstream.next();

    assertThat(v1.status()).isEqualTo(200);
    assertThat(atV1.uri()).isEqualTo("/home/x/y?q=1&r=a%20b");
    assertThat(v2.status()).isEqualTo(200);
    assertThat(atV2.uri()).isEqualTo("/index/x");
  }

  @Test
  void acceptVersionHeaderSelectsTheVersionWhenThePathNamesNone() {
    kit.routes(
        route("v1", "/shop", kit.target("/home")).version("v1", false).build(),
        route("v2", "/shop", kit.target("/index")).version("v2", true).build());

    var reply = kit.get("/shop/x", "Accept-Version", "v1");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(kit.upstream.next().uri()).isEqualTo("/home/x");
  }

  @Test
  void theDefaultVersionServesRequestsThatNameNone() {
    kit.routes(
        route("v1", "/shop", kit.target("/home")).version("v1", false).build(),
        route("v2", "/shop", kit.target("/index")).version("v2", true).build());

    var reply = kit.get("/shop/x");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(kit.upstream.next().uri()).isEqualTo("/index/x");
  }

  @Test
  void anUnknownVersionIsNotFound() {
    kit.routes(route("v1", "/shop", kit.target("/home")).version("v1", false).build());

    var reply = kit.get("/shop/x", "Accept-Version", "v9");

    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.problemType()).isEqualTo("not-found");
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void aPathSegmentNamingAnUnregisteredVersionIsRefusedNamingTheVersionsThatExist() {
    kit.routes(
        route("v1", "/shop", kit.target("/home")).version("v1", true).build(),
        route("v2", "/shop", kit.target("/index")).version("v2", false).build());

    var v3 = kit.get("/shop/v3/x");
    var upperCase = kit.get("/shop/V3/x");
    var v10 = kit.get("/shop/v10");

    assertThat(v3.status()).isEqualTo(404);
    assertThat(v3.problemType()).isEqualTo("version-not-found");
    assertThat(v3.json().get("versions")).isEqualTo(java.util.List.of("v1", "v2"));
    assertThat((String) v3.json().get("detail")).contains("v3", "/shop", "v1, v2");
    assertThat(upperCase.problemType()).isEqualTo("version-not-found");
    assertThat(v10.problemType()).isEqualTo("version-not-found");
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void aRegisteredVersionInThePathStillReachesItsTargetAndOtherSegmentsTheDefault() {
    kit.routes(
        route("v1", "/shop", kit.target("/home")).version("v1", true).build(),
        route("v2", "/shop", kit.target("/index")).version("v2", false).build());

    var v2 = kit.get("/shop/v2/x");
    var atV2 = kit.upstream.next();
    var plain = kit.get("/shop/items/v3");
    var atDefault = kit.upstream.next();

    assertThat(v2.status()).isEqualTo(200);
    assertThat(atV2.uri()).isEqualTo("/index/x");
    assertThat(plain.status()).isEqualTo(200);
    assertThat(atDefault.uri()).isEqualTo("/home/items/v3");
  }

  @Test
  void aRouteThatOptsOutReceivesAVersionLookingSegmentAsItsPath() {
    kit.routes(
        route("v1", "/shop", kit.target("/home")).version("v1", true).versionsNotInPath().build(),
        route("v2", "/shop", kit.target("/index")).version("v2", false).build());

    var reply = kit.get("/shop/v3/x");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(kit.upstream.next().uri()).isEqualTo("/home/v3/x");
  }

  @Test
  void acceptVersionIsUnchangedByVersionLookingSegments() {
    kit.routes(
        route("v1", "/shop", kit.target("/home")).version("v1", true).build(),
        route("v2", "/shop", kit.target("/index")).version("v2", false).build());

    var unknown = kit.get("/shop/x", "Accept-Version", "v3");
    var known = kit.get("/shop/x", "Accept-Version", "v2");
    var atV2 = kit.upstream.next();

    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.problemType()).isEqualTo("not-found");
    assertThat(known.status()).isEqualTo(200);
    assertThat(atV2.uri()).isEqualTo("/index/x");
  }

  @Test
  void exactHostBeatsWildcardWhichBeatsAnyHost() {
    kit.routes(
        route("exact", "/api", kit.target("/exact")).host("api.example.com").build(),
        route("wild", "/api", kit.target("/wild")).host("*.example.com").build(),
        route("any", "/api", kit.target("/any")).build());

    kit.get("/api/a", "Host", "api.example.com:8080");
    var exact = kit.upstream.next();
    kit.get("/api/a", "Host", "other.example.com");
    var wild = kit.upstream.next();
    kit.get("/api/a", "Host", "elsewhere.org");
    var any = kit.upstream.next();

    assertThat(exact.uri()).isEqualTo("/exact/a");
    assertThat(wild.uri()).isEqualTo("/wild/a");
    assertThat(any.uri()).isEqualTo("/any/a");
  }

  @Test
  void exactPathBeatsPrefixAndTheLongestPrefixAtASegmentBoundaryWins() {
    kit.routes(
        route("root", "/", kit.target("/root")).build(),
        route("prefix", "/a", kit.target("/prefix")).build(),
        route("exact", "/a/b", kit.target("/exact")).exact().build(),
        route("longer", "/a/b/c", kit.target("/longer")).build());

    kit.get("/a/b");
    var exact = kit.upstream.next();
    kit.get("/a/b/x");
    var prefix = kit.upstream.next();
    kit.get("/a/b/c/d");
    var longer = kit.upstream.next();
    kit.get("/ab");
    var root = kit.upstream.next();

    assertThat(exact.uri()).isEqualTo("/exact");
    assertThat(prefix.uri()).isEqualTo("/prefix/b/x");
    assertThat(longer.uri()).isEqualTo("/longer/d");
    assertThat(root.uri()).isEqualTo("/root/ab");
  }

  @Test
  void noRouteIsANotFoundProblemCarryingTheRequestId() {
    kit.routes(route("a", "/a", kit.target("/a")).build());

    var reply = kit.get("/nothing", "X-Request-Id", "req-123");

    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(reply.problemType()).isEqualTo("not-found");
    assertThat(reply.json())
        .containsEntry("requestId", "req-123")
        .containsEntry("instance", "urn:crossgate:request:req-123");
    assertThat(reply.header("X-Request-Id")).isEqualTo("req-123");
  }

  @Test
  void aMethodTheRouteDoesNotAllowIs405WithAllow() {
    kit.routes(route("a", "/a", kit.target("/a")).methods("GET", "PUT").build());

    var reply = kit.send(HttpMethod.DELETE, "/a/1", null);

    assertThat(reply.status()).isEqualTo(405);
    assertThat(reply.problemType()).isEqualTo("method-not-allowed");
    assertThat(reply.header("Allow")).isEqualTo("GET, PUT");
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void aDisabledRouteIsNotFound() {
    kit.routes(route("a", "/a", kit.target("/a")).disabled().build());

    var reply = kit.get("/a");

    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.problemType()).isEqualTo("not-found");
  }

  @Test
  void theSyncMarkerIsStrippedBeforeMatching() {
    kit.routes(route("abc", "/abc", kit.target("/real")).build());

    var reply = kit.get("/sync/abc/x");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(kit.upstream.next().uri()).isEqualTo("/real/x");
  }

  @Test
  void anAsynchronousInterfaceOnANodeWithoutATaskStoreIs501RatherThanProxiedSynchronously() {
    kit.routes(route("def", "/def", kit.target("/def")).async().build());

    var reply = kit.get("/async/def");

    assertThat(reply.status()).isEqualTo(501);
    assertThat(reply.problemType()).isEqualTo("not-implemented");
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void aConfigurationSwapServesTheNextRequest() {
    kit.routes(route("a", "/a", kit.target("/old")).build());
    kit.get("/a");
    kit.upstream.next();

    kit.routes(route("a", "/a", kit.target("/new")).build());
    var reply = kit.get("/a");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(kit.upstream.next().uri()).isEqualTo("/new");
  }
}
