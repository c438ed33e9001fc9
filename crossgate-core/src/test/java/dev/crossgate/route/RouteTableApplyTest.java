package dev.crossgate.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.change.Change;
import dev.crossgate.config.ConfigApplier;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RouteTableApplyTest {
  private static final Instant AT = Instant.parse("2026-11-23T00:00:00Z");

  private static Route route(String id, String host, String path, String target, boolean enabled) {
    return new Route(
        id, "s", null, null, "a", AT, AT, host, path, null, null, false, List.of(), target, null,
        null, List.of(), List.of(), null, null, null, false, enabled, 0);
  }

  @Test
  void incrementalApplyAnswersLikeATableBuiltFromScratchAndLeavesTheOldTableAlone() {
    var random = new Random(42);
    var routes = new ArrayList<Route>();
    for (int i = 0; i < 200; i++) {
      // one source per id: the store refuses two routes that would compete for a request
      routes.add(
          route("rt_" + i, i % 3 == 0 ? "api.example.com" : null, "/p" + i, "http://t" + i, true));
    }
    var original = RouteTable.of(routes, 1);
    var current = original;
    var live = new java.util.HashMap<String, Route>();
    routes.forEach(r -> live.put(r.id(), r));

    for (int step = 0; step < 100; step++) {
      int n = random.nextInt(250);
      var id = "rt_" + n;
      if (random.nextBoolean()) {
        var changed =
            route(
                id,
                random.nextBoolean() ? "api.example.com" : null,
                (random.nextBoolean() ? "/p" : "/q") + n,
                "http://n" + step,
                random.nextInt(5) > 0);
        current = current.apply(List.of(changed), List.of(), step + 2);
        live.put(id, changed);
      } else {
        current = current.apply(List.of(), List.of(id), step + 2);
        live.remove(id);
      }
    }
    var rebuilt = RouteTable.of(live.values(), 101);

    for (var host : new String[] {"api.example.com", "other.org"}) {
      for (int p = 0; p < 250; p++) {
        for (var prefix : new String[] {"/p", "/q"}) {
          assertThat(current.match(host, prefix + p + "/x", "GET", null))
              .as("%s %s%d", host, prefix, p)
              .isEqualTo(rebuilt.match(host, prefix + p + "/x", "GET", null));
        }
      }
    }
    assertThat(current.size()).isEqualTo(live.size());
    assertThat(original.size()).isEqualTo(200);
    assertThat(original.match("x", "/p7/y", "GET", null))
        .isEqualTo(RouteTable.of(routes, 1).match("x", "/p7/y", "GET", null));
  }

  private static final String[] HOSTS = {null, "api.example.com", "*.example.com"};
  private static final String[] VERSIONS = {null, "v1", "v2"};
  private static final int PATHS = 4_000;

  @Test
  void aRandomChangeLogOnTenThousandRoutesMatchesAndHashesLikeATableBuiltFromScratch() {
    var random = new Random(7);
    var live = new HashMap<String, Route>();
    for (int i = 0; live.size() < 10_000; i++) {
      var r = randomRoute(random, live, "rt_" + i, null);
      if (r != null) {
        live.put(r.id(), r);
      }
    }
    var original = new GatewayConfig(1, RouteTable.of(live.values(), 1), List.of(), Map.of());
    var originalRoutes = Map.copyOf(live);
    var current = original;
    int nextId = 1_000_000;

    for (long revision = 2; revision < 2_002; ) {
      var batch = new ArrayList<Change>();
      for (int n = 1 + random.nextInt(5); n > 0; n--, revision++) {
        var ids = new ArrayList<>(live.keySet());
        var existing = live.get(ids.get(random.nextInt(ids.size())));
        int kind = random.nextInt(5);
        if (kind == 0) {
          batch.add(change(revision, Change.Op.DELETE, existing.id(), null));
          live.remove(existing.id());
          continue;
        }
        // create, update (anything may move), version change, enable/disable toggle
        var changed =
            kind == 1
                ? randomRoute(random, live, "rt_" + nextId++, null)
                : kind == 2
                    ? randomRoute(random, live, existing.id(), null)
                    : kind == 3
                        ? randomRoute(random, live, existing.id(), existing)
                        : withEnabled(existing, !existing.enabled());
        if (changed == null) {
          revision--; // no free version at that path: pick another change
          continue;
        }
        batch.add(
            change(
                revision, kind == 1 ? Change.Op.INSERT : Change.Op.UPDATE, changed.id(), changed));
        live.put(changed.id(), changed);
      }
      current = ConfigApplier.apply(current, batch);
    }
    var rebuilt =
        new GatewayConfig(
            current.revision(),
            RouteTable.of(live.values(), current.revision()),
            List.of(),
            Map.of());

    assertThat(current.hash()).isEqualTo(rebuilt.hash());
    assertThat(new HashSet<>(current.routes().routes())).isEqualTo(new HashSet<>(live.values()));
    assertMatchesAlike(current.routes(), rebuilt.routes());
    assertThat(new HashSet<>(original.routes().routes()))
        .isEqualTo(new HashSet<>(originalRoutes.values()));
    assertMatchesAlike(original.routes(), RouteTable.of(originalRoutes.values(), 1));
  }

  private static void assertMatchesAlike(RouteTable actual, RouteTable expected) {
    for (int p = 0; p < PATHS; p++) {
      for (var host : new String[] {"api.example.com", "www.example.com", "other.org"}) {
        for (var path : new String[] {"/p" + p, "/p" + p + "/v1/x", "/p" + p + "/v2"}) {
          for (var method : new String[] {"GET", "POST"}) {
            for (var accept : new String[] {null, "v1"}) {
              assertThat(actual.match(host, path, method, accept))
                  .as("%s %s %s %s", method, host, path, accept)
                  .isEqualTo(expected.match(host, path, method, accept));
            }
          }
        }
      }
    }
  }

  /**
   * A route at a random host, path, version and methods; with {@code versionOf}, that route with
   * another version only. As the store does, no two routes compete for a request: one route per
   * host, path and version, and one default-or-unversioned route per host and path. Null when the
   * chosen place is taken.
   */
  private static Route randomRoute(
      Random random, Map<String, Route> live, String id, Route versionOf) {
    var host = versionOf != null ? versionOf.sourceHost() : HOSTS[random.nextInt(HOSTS.length)];
    var path = versionOf != null ? versionOf.sourcePath() : "/p" + random.nextInt(PATHS);
    var version = VERSIONS[random.nextInt(VERSIONS.length)];
    boolean isDefault = version != null && random.nextInt(3) == 0;
    var methods =
        random.nextBoolean() ? List.<String>of() : List.of(random.nextBoolean() ? "GET" : "POST");
    var match = random.nextInt(4) == 0 ? Route.PathMatch.EXACT : Route.PathMatch.PREFIX;
    for (var other : live.values()) {
      if (other.id().equals(id)
          || !other.hostKey().equals(host == null ? "" : host)
          || !other.sourcePath().equals(path)) {
        continue;
      }
      boolean sameVersion = java.util.Objects.equals(other.version(), version);
      boolean bothUnqualified =
          (version == null || isDefault) && (other.version() == null || other.defaultVersion());
      if (sameVersion || bothUnqualified) {
        return null;
      }
    }
    return new Route(
        id,
        "s",
        null,
        null,
        "a",
        AT,
        AT,
        host,
        path,
        match,
        version,
        isDefault,
        methods,
        "http://t/" + random.nextInt(1_000),
        null,
        null,
        List.of(),
        List.of(),
        null,
        null,
        null,
        false,
        versionOf == null || versionOf.enabled(),
        0);
  }

  private static Route withEnabled(Route r, boolean enabled) {
    return new Route(
        r.id(),
        r.service(),
        r.summary(),
        r.remarks(),
        r.createdBy(),
        r.createdAt(),
        r.updatedAt(),
        r.sourceHost(),
        r.sourcePath(),
        r.pathMatch(),
        r.version(),
        r.defaultVersion(),
        r.methods(),
        r.targetUrl(),
        r.mode(),
        r.asyncExecution(),
        r.params(),
        r.flow(),
        r.auth(),
        r.timeouts(),
        r.maxBodyBytes(),
        r.websocket(),
        enabled,
        r.revision());
  }

  private static Change change(long revision, Change.Op op, String id, Route body) {
    return new Change(
        revision,
        op,
        Change.EntityType.ROUTE,
        id,
        body == null ? null : Json.mapper().valueToTree(body),
        "alice",
        AT);
  }
}
