package dev.crossgate.store.route;

import static dev.crossgate.store.route.RouteSpecs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossgate.change.Change;
import dev.crossgate.json.Json;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.route.Route;
import dev.crossgate.store.ChangeLog;
import dev.crossgate.store.TestDatabases;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RouteRepositoryTest {

  private static RouteRepository repository(TestDatabases.Handle db, List<String> touched) {
    return new RouteRepository(
        db.database(), new ChangeLog(db.database()), Clock.systemUTC(), r -> touched.add(r.id()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void createdRouteIsStoredWithServerFieldsAndLoggedAsOneChange(String kind) {
    try (var db = TestDatabases.open(kind)) {
      var touched = new ArrayList<String>();
      var routes = repository(db, touched);

      var created = routes.create(spec("/shop", "v1"), "alice");

      assertThat(created.id()).startsWith("rt_").hasSize(25);
      assertThat(created.createdBy()).isEqualTo("alice");
      assertThat(created.revision()).isEqualTo(1);
      assertThat(routes.get(created.id())).contains(created);
      var changes = new ChangeLog(db.database()).after(0, 10);
      assertThat(changes)
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.op()).isEqualTo(Change.Op.INSERT);
                assertThat(c.entityId()).isEqualTo(created.id());
                assertThat(c.actor()).isEqualTo("alice");
                assertThat(c.before()).isNull();
                assertThat(c.after().get("sourcePath").asText()).isEqualTo("/shop");
              });
      assertThat(touched).containsExactly(created.id());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void overlappingMethodsOnTheSameSourceAndVersionConflict(String kind) {
    try (var db = TestDatabases.open(kind)) {
      var routes = repository(db, new ArrayList<>());
      var first =
          routes.create(spec("/shop", "v1", false, List.of("GET", "POST"), "http://a/x"), "alice");

      assertThatThrownBy(
              () -> routes.create(spec("/shop", "v1", false, List.of("POST"), "http://b/y"), "bob"))
          .isInstanceOfSatisfying(
              ProblemException.class,
              e -> {
                assertThat(e.problem().status()).isEqualTo(409);
                assertThat(e.problem().extensions()).containsEntry("conflictingRoute", first.id());
                assertThat(e.problem().detail()).contains("POST");
              });
      routes.create(spec("/shop", "v2", false, List.of("POST"), "http://b/y"), "bob");
      routes.create(spec("/shop", "v1", false, List.of("DELETE"), "http://b/y"), "bob");
      assertThat(new ChangeLog(db.database()).latestRevision()).isEqualTo(3);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void aSourceHasAtMostOneDefaultVersion(String kind) {
    try (var db = TestDatabases.open(kind)) {
      var routes = repository(db, new ArrayList<>());
      var v1 = routes.create(spec("/shop", "v1", true, List.of(), "http://a/home"), "alice");

      assertThatThrownBy(
              () -> routes.create(spec("/shop", "v2", true, List.of(), "http://b/index"), "alice"))
          .isInstanceOfSatisfying(
              ProblemException.class,
              e -> {
                assertThat(e.problem().status()).isEqualTo(409);
                assertThat(e.problem().extensions()).containsEntry("conflictingRoute", v1.id());
              });
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void staleWritesAreRefusedAndLeaveTheRouteAsItWas(String kind) {
    try (var db = TestDatabases.open(kind)) {
      var routes = repository(db, new ArrayList<>());
      var created = routes.create(spec("/shop", "v1"), "alice");
      var updated = routes.replace(created.id(), spec("/shop", "v2"), "bob", created.revision());

      assertThatThrownBy(
              () -> routes.replace(created.id(), spec("/shop", "v3"), "carol", created.revision()))
          .isInstanceOfSatisfying(
              ProblemException.class, e -> assertThat(e.problem().status()).isEqualTo(412));
      assertThatThrownBy(() -> routes.delete(created.id(), "carol", created.revision()))
          .isInstanceOfSatisfying(
              ProblemException.class, e -> assertThat(e.problem().status()).isEqualTo(412));

      var stored = routes.get(created.id()).orElseThrow();
      assertThat(stored.version()).isEqualTo("v2");
      assertThat(stored.revision()).isEqualTo(updated.revision());
      assertThat(stored.createdBy()).isEqualTo("alice");
      assertThat(stored.createdAt()).isEqualTo(created.createdAt());
      assertThat(new ChangeLog(db.database()).latestRevision()).isEqualTo(2);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void mergePatchChangesOnlyTheGivenFields(String kind) throws Exception {
    try (var db = TestDatabases.open(kind)) {
      var routes = repository(db, new ArrayList<>());
      var created = routes.create(spec("/shop", "v1"), "alice");

      var patched =
          routes.patch(
              created.id(),
              Json.mapper().readTree("{\"version\":\"v7\",\"summary\":\"s\"}"),
              "bob",
              null);

      assertThat(patched.version()).isEqualTo("v7");
      assertThat(patched.summary()).isEqualTo("s");
      assertThat(patched.targetUrl()).isEqualTo(created.targetUrl());
      assertThat(patched.methods()).isEqualTo(created.methods());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void listingPagesThroughEveryRouteOnceAndFiltersByService(String kind) {
    try (var db = TestDatabases.open(kind)) {
      var routes = repository(db, new ArrayList<>());
      for (int i = 0; i < 7; i++) {
        routes.create(spec("/p" + i, null), "alice");
      }

      var seen = new ArrayList<String>();
      String cursor = null;
      int pages = 0;
      do {
        var page = routes.list(new RouteQuery("shop", null, null, 3, cursor));
        page.items().forEach(r -> seen.add(r.id()));
        cursor = page.nextCursor();
        pages++;
      } while (cursor != null);

      assertThat(seen).hasSize(7).doesNotHaveDuplicates().isSorted();
      assertThat(pages).isEqualTo(3);
      assertThat(routes.list(new RouteQuery("other", null, null, 10, null)).items()).isEmpty();
      assertThat(routes.list(new RouteQuery(null, "/p3", null, 10, null)).items()).hasSize(1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void aSearchFindsPartsOfPathsAndServicesAndTheServiceOrderPagesStably(String kind) {
    try (var db = TestDatabases.open(kind)) {
      var routes = repository(db, new ArrayList<>());
      for (var service : List.of("zeta", "alpha", "bulk")) {
        for (int i = 0; i < 3; i++) {
          routes.create(RouteSpecs.inService(service, "/" + service + "/bulk_" + i), "alice");
        }
      }
      routes.create(RouteSpecs.inService("alpha", "/alpha/bulkx1"), "alice");

      var seen = new ArrayList<String>();
      String cursor = null;
      do {
        var page =
            routes.list(
                new RouteQuery(null, null, null, null, RouteQuery.Order.SERVICE, 4, cursor));
        page.items().forEach(r -> seen.add(r.service() + " " + r.sourcePath()));
        cursor = page.nextCursor();
      } while (cursor != null);
      var bulk =
          routes.list(new RouteQuery(null, null, null, "BULK", RouteQuery.Order.ID, 50, null));
      var underscore =
          routes.list(new RouteQuery(null, null, null, "k_1", RouteQuery.Order.ID, 50, null));
      var otherOrdersCursor = routes.list(new RouteQuery(null, null, null, 4, null)).nextCursor();

      assertThat(seen)
          .hasSize(10)
          .doesNotHaveDuplicates()
          .startsWith("alpha /alpha/bulk_0", "alpha /alpha/bulk_1", "alpha /alpha/bulk_2")
          .endsWith(
              "bulk /bulk/bulk_2", "zeta /zeta/bulk_0", "zeta /zeta/bulk_1", "zeta /zeta/bulk_2");
      assertThat(bulk.items()).hasSize(10);
      assertThat(underscore.items())
          .extracting(r -> r.sourcePath())
          .as("'_' is a character, not a wildcard: /alpha/bulkx1 is not found")
          .containsExactlyInAnyOrder("/zeta/bulk_1", "/alpha/bulk_1", "/bulk/bulk_1");
      assertThatThrownBy(
              () ->
                  new RouteQuery(
                      null, null, null, null, RouteQuery.Order.SERVICE, 4, otherOrdersCursor))
          .isInstanceOf(ProblemException.class);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void deleteRemovesTheRowAndLogsADeleteWithTheRouteAsItWas(String kind) {
    try (var db = TestDatabases.open(kind)) {
      var routes = repository(db, new ArrayList<>());
      var created = routes.create(spec("/shop", "v1"), "alice");

      routes.delete(created.id(), "bob", null);

      assertThat(routes.get(created.id())).isEmpty();
      var last = new ChangeLog(db.database()).after(1, 10);
      assertThat(last)
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.op()).isEqualTo(Change.Op.DELETE);
                assertThat(c.after()).isNull();
                assertThat(Json.mapper().treeToValue(c.before(), Route.class)).isEqualTo(created);
                assertThat(c.actor()).isEqualTo("bob");
              });
      assertThatThrownBy(() -> routes.delete(created.id(), "bob", null))
          .isInstanceOfSatisfying(
              ProblemException.class, e -> assertThat(e.problem().status()).isEqualTo(404));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void anUpdateIsLoggedWithTheRouteBeforeAndAfterIt(String kind) throws Exception {
    try (var db = TestDatabases.open(kind)) {
      var routes = repository(db, new ArrayList<>());
      var created = routes.create(spec("/shop", "v1"), "alice");

      var replaced = routes.replace(created.id(), spec("/shop", "v2"), "bob", created.revision());

      var update = new ChangeLog(db.database()).after(1, 10).get(0);
      assertThat(update.op()).isEqualTo(Change.Op.UPDATE);
      assertThat(Json.mapper().treeToValue(update.before(), Route.class)).isEqualTo(created);
      assertThat(Json.mapper().treeToValue(update.after(), Route.class)).isEqualTo(replaced);
      assertThat(update.before().get("version").asText()).isEqualTo("v1");
      assertThat(update.after().get("version").asText()).isEqualTo("v2");
    }
  }
}
