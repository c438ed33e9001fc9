package dev.crossgate.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RouteTableApplyTest {
  private static final Instant AT = Instant.parse("2026-11-23T00:00:00Z");

  private static Route route(String id, String host, String path, String target, boolean enabled) {
    return new Route(id, "s", null, null, "a", AT, AT, host, path, null, null, false, List.of(), target, null, null,
        List.of(), List.of(), null, null, null, false, enabled, 0);
  }

  @Test
  void incrementalApplyAnswersLikeATableBuiltFromScratchAndLeavesTheOldTableAlone() {
    var random = new Random(42);
    var routes = new ArrayList<Route>();
    for (int i = 0; i < 200; i++) {
      // one source per id: the store refuses two routes that would compete for a request
      routes.add(route("rt_" + i, i % 3 == 0 ? "api.example.com" : null, "/p" + i, "http://t" + i, true));
    }
    var original = RouteTable.of(routes, 1);
    var current = original;
    var live = new java.util.HashMap<String, Route>();
    routes.forEach(r -> live.put(r.id(), r));

    for (int step = 0; step < 100; step++) {
      int n = random.nextInt(250);
      var id = "rt_" + n;
      if (random.nextBoolean()) {
        var changed = route(id, random.nextBoolean() ? "api.example.com" : null, (random.nextBoolean() ? "/p" : "/q") + n,
            "http://n" + step, random.nextInt(5) > 0);
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
              .as("%s %s%d", host, prefix, p).isEqualTo(rebuilt.match(host, prefix + p + "/x", "GET", null));
        }
      }
    }
    assertThat(current.size()).isEqualTo(live.size());
    assertThat(original.size()).isEqualTo(200);
    assertThat(original.match("x", "/p7/y", "GET", null))
        .isEqualTo(RouteTable.of(routes, 1).match("x", "/p7/y", "GET", null));
  }
}
