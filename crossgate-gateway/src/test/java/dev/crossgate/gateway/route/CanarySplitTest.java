package dev.crossgate.gateway.route;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.route.Route;
import java.util.HashMap;
import java.util.HashSet;
import org.junit.jupiter.api.Test;

/** A canary between two versions of one source, through the gateway to a real upstream. */
class CanarySplitTest {

  private static GatewayKit canary(GatewayKit kit) {
    return kit.routes(
        route("rt_v1", "/shop", kit.target("/one"))
            .version("v1", true)
            .split("header:X-User", new Route.Split("v1", 90), new Route.Split("v2", 10))
            .build(),
        route("rt_v2", "/shop", kit.target("/two")).version("v2", false).build());
  }

  @Test
  void requestsThatNameNoVersionAreSplitByWeightWithinThreePercent() {
    try (var kit = GatewayKit.start()) {
      canary(kit);

      var counts = new HashMap<String, Integer>();
      for (int i = 0; i < 2_000; i++) {
        var reply = kit.get("/shop/items");
        assertThat(reply.status()).isEqualTo(200);
        counts.merge(reply.body(), 1, Integer::sum);
      }

      // 10 % of 2,000 is 200; ±3 % of the requests is ±60
      assertThat(counts.get("upstream saw /two/items")).isBetween(140, 260);
      assertThat(counts.get("upstream saw /one/items") + counts.get("upstream saw /two/items"))
          .isEqualTo(2_000);
    }
  }

  @Test
  void stickyCallersNeverFlipAndNamedVersionsAreKept() {
    try (var kit = GatewayKit.start()) {
      canary(kit);

      var versionsByCaller = new HashMap<String, HashSet<String>>();
      for (int round = 0; round < 10; round++) {
        for (int user = 0; user < 100; user++) {
          var reply = kit.get("/shop/items", "X-User", "user-" + user);
          versionsByCaller.computeIfAbsent("user-" + user, u -> new HashSet<>()).add(reply.body());
        }
      }
      var named = new HashSet<String>();
      for (int i = 0; i < 50; i++) {
        named.add(kit.get("/shop/v1/items").body());
        named.add(kit.get("/shop/items", "Accept-Version", "v1").body());
      }

      assertThat(versionsByCaller.values()).allSatisfy(seen -> assertThat(seen).hasSize(1));
      // both versions got callers: the key decides, not one fixed answer
      var landed = new HashSet<String>();
      versionsByCaller.values().forEach(landed::addAll);
      assertThat(landed)
          .containsExactlyInAnyOrder("upstream saw /one/items", "upstream saw /two/items");
      assertThat(named).containsExactly("upstream saw /one/items");
    }
  }
}
