package dev.crossgate.route;

import static dev.crossgate.route.RouteMatcherTest.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RouteTableTest {

  @Test
  void applyBuildsANewTableAndLeavesTheOldOneUnchanged() {
    var old = RouteTable.of(List.of(route("a", "/a"), route("b", "/b")), 1);

    var updated = old.apply(List.of(route("c", "/c")), List.of("a"), 2);

    assertThat(updated.revision()).isEqualTo(2);
    assertThat(updated.routes()).extracting(Route::id).containsExactlyInAnyOrder("b", "c");
    assertThat(updated.routesAt("", "/a")).isEmpty();
    assertThat(old.routes()).extracting(Route::id).containsExactlyInAnyOrder("a", "b");
    assertThat(old.routesAt("", "/a")).hasSize(1);
  }

  @Test
  void anUpsertReplacesTheRouteWithTheSameId() {
    var old = RouteTable.of(List.of(route("a", "/a")), 1);

    var updated = old.apply(List.of(route("a", "/moved")), List.of(), 2);

    assertThat(updated.size()).isEqualTo(1);
    assertThat(updated.routesAt("", "/a")).isEmpty();
    assertThat(updated.routesAt("", "/moved")).extracting(Route::id).containsExactly("a");
  }

  @Test
  void disabledRoutesAreKeptByIdButNotIndexed() {
    var table = RouteTable.of(List.of(route("off", null, "/a", null, false, null, null, false)), 1);

    assertThat(table.size()).isEqualTo(1);
    assertThat(table.routesAt("", "/a")).isEmpty();
  }

  @Test
  void theTableCannotBeChangedThroughItsViews() {
    var table = RouteTable.of(List.of(route("a", "/a")), 1);

    assertThatThrownBy(() -> table.routes().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> table.routesAt("", "/a").clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void applyKeepsOtherRoutesAtTheSamePathAndDisablingUnindexes() {
    var a1 = route("a1", null, "/a", "v1", false, null, null, true);
    var a2 = route("a2", null, "/a", "v2", false, null, null, true);
    var old = RouteTable.of(List.of(a1, a2, route("b", "/b")), 1);

    var updated =
        old.apply(
            List.of(route("a1", null, "/a", "v1", false, null, null, false)), List.of("b"), 2);

    assertThat(updated.routesAt("", "/a")).extracting(Route::id).containsExactly("a2");
    assertThat(updated.routesAt("", "/b")).isEmpty();
    assertThat(updated.size()).isEqualTo(2);
    assertThat(old.routesAt("", "/a")).extracting(Route::id).containsExactlyInAnyOrder("a1", "a2");
  }

  @Test
  void aRouteMovedToAnotherHostLeavesTheOldHost() {
    var old =
        RouteTable.of(List.of(route("a", "x.example.com", "/a", null, false, null, null, true)), 1);

    var updated =
        old.apply(
            List.of(route("a", "y.example.com", "/a", null, false, null, null, true)),
            List.of(),
            2);

    assertThat(updated.routesAt("x.example.com", "/a")).isEmpty();
    assertThat(updated.routesAt("y.example.com", "/a")).extracting(Route::id).containsExactly("a");
    assertThat(old.routesAt("x.example.com", "/a")).hasSize(1);
  }
}
