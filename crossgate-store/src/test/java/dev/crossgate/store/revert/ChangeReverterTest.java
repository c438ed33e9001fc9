package dev.crossgate.store.revert;

import static dev.crossgate.store.route.RouteSpecs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossgate.change.Change;
import dev.crossgate.config.ConfigApplier;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.filter.FilterSpec;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.route.RouteTable;
import dev.crossgate.store.ChangeLog;
import dev.crossgate.store.TestDatabases;
import dev.crossgate.store.filter.FilterRepository;
import dev.crossgate.store.route.RouteRepository;
import dev.crossgate.store.tenant.TenantCertificateRepository;
import dev.crossgate.store.tenant.TenantRepository;
import dev.crossgate.tenant.ApiKey;
import dev.crossgate.tenant.Tenant;
import dev.crossgate.tenant.TenantSpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChangeReverterTest {

  /** The repositories of one test database, wired as the control plane wires them. */
  private record Store(
      ChangeLog log,
      RouteRepository routes,
      FilterRepository filters,
      TenantRepository tenants,
      TenantCertificateRepository certificates,
      ChangeReverter reverter,
      List<String> touchedRoutes) {
    static Store of(TestDatabases.Handle db) {
      var clock = Clock.systemUTC();
      var log = new ChangeLog(db.database());
      var touched = new ArrayList<String>();
      var routes = new RouteRepository(db.database(), log, clock, r -> touched.add(r.id()));
      var filters = new FilterRepository(db.database(), log, clock);
      var tenants = new TenantRepository(db.database(), log, clock);
      var certificates = new TenantCertificateRepository(db.database(), log, clock);
      var reverter =
          new ChangeReverter(
              db.database(),
              log,
              clock,
              List.of(
                  tenants.tenantRestorer(),
                  routes.restorer(),
                  filters.restorer(),
                  tenants.keyRestorer(),
                  certificates.restorer()));
      return new Store(log, routes, filters, tenants, certificates, reverter, touched);
    }

    /** The configuration hash of what the database holds now, computed from scratch. */
    long hashOfTables() {
      var revision = log.latestRevision();
      return new GatewayConfig(
              revision,
              RouteTable.of(routes.all(), revision),
              filters.all(),
              tenants.allKeys().stream().collect(Collectors.toMap(ApiKey::keyHash, k -> k)),
              List.of(),
              tenants.all().stream().filter(t -> !t.enabled()).map(Tenant::id).toList(),
              certificates.all(),
              List.of(),
              List.of(),
              Map.of())
          .hash();
    }

    /** The hash a node reaches at every revision, applying the whole log as deltas. */
    Map<Long, Long> hashesByRevision() {
      var hashes = new HashMap<Long, Long>();
      ConfigApplier.apply(GatewayConfig.EMPTY, log.after(0, 100_000), hashes::put);
      return hashes;
    }
  }

  private static FilterSpec blockIp(String ip) {
    return new FilterSpec(null, 10, "IP", ip, null, null, null, null, null, null);
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void revertBringsEveryEntityBackAndTheConfigurationHashToThatOfTheTargetRevision(String kind) {
    try (var db = TestDatabases.open(kind)) {
      var s = Store.of(db);
      s.tenants.create(new TenantSpec("acme", "ACME", true, null), "alice");
      var keptKey = s.tenants.issueKey("acme", null, "alice");
      var edited = s.routes.create(spec("/shop", "v1"), "alice");
      var removedLater = s.routes.create(spec("/gone", "v1"), "alice");
      var filter = s.filters.create(blockIp("10.0.0.1"), "alice");
      var certificate = s.certificates.register("acme", "SUBJECT", "CN=billing", "alice");
      long target = s.log.latestRevision();
      long hashAtTarget = s.hashOfTables();

      s.routes.replace(edited.id(), spec("/shop", "v2"), "bob", null);
      s.routes.replace(edited.id(), spec("/shop", "v3"), "bob", null);
      s.routes.delete(removedLater.id(), "bob", null);
      var added = s.routes.create(spec("/new", "v1"), "bob");
      var shortLived = s.routes.create(spec("/transient", "v1"), "bob");
      s.routes.delete(shortLived.id(), "bob", null);
      s.filters.delete(filter.id(), "bob");
      s.certificates.remove("acme", certificate.id(), "bob");
      var newKey = s.tenants.issueKey("acme", "late", "bob");
      s.tenants.update("acme", new TenantSpec("acme", "ACME renamed", false, null), "bob");
      long before = s.log.latestRevision();
      assertThat(s.hashOfTables()).isNotEqualTo(hashAtTarget);

      var plan = s.reverter.revert(target, before, "carol");

      assertThat(plan.refused()).isEmpty();
      var steps =
          plan.steps().stream().map(st -> st.entityType() + " " + st.op() + " " + st.entityId());
      assertThat(steps.toList())
          .containsExactlyInAnyOrder(
              "API_KEY DELETE " + newKey.apiKey().id(),
              "ROUTE DELETE " + added.id(),
              "TENANT UPDATE acme",
              "ROUTE INSERT " + removedLater.id(),
              "ROUTE UPDATE " + edited.id(),
              "FILTER INSERT " + filter.id(),
              "CLIENT_CERT INSERT " + certificate.id());
      // removals first (a key before its tenant could go), then writes, parents first
      assertThat(plan.steps().subList(0, 2)).allMatch(st -> st.op() == Change.Op.DELETE);
      assertThat(plan.steps().get(2).entityType()).isEqualTo(Change.EntityType.TENANT);
      assertThat(plan.revisions())
          .containsExactly(
              before + 1, before + 2, before + 3, before + 4, before + 5, before + 6, before + 7);
      assertThat(s.log.latestRevision()).isEqualTo(before + 7);
      assertThat(s.routes.get(edited.id())).contains(edited);
      assertThat(s.routes.get(removedLater.id())).contains(removedLater);
      assertThat(s.routes.get(added.id())).isEmpty();
      assertThat(s.filters.all()).containsExactly(filter);
      assertThat(s.tenants.get("acme").orElseThrow().enabled()).isTrue();
      assertThat(s.tenants.keys("acme"))
          .extracting(ApiKey::id)
          .containsExactly(keptKey.apiKey().id());
      assertThat(s.hashOfTables()).isEqualTo(hashAtTarget);
      var hashes = s.hashesByRevision();
      assertThat(hashes.get(before + 7)).isEqualTo(hashes.get(target)).isEqualTo(hashAtTarget);
      assertThat(s.touchedRoutes).contains(added.id(), removedLater.id(), edited.id());
      var written = s.log.after(before, 100);
      assertThat(written).allSatisfy(c -> assertThat(c.actor()).isEqualTo("carol"));
      assertThat(written.get(0).before().get("keyHash").asText())
          .isEqualTo(newKey.apiKey().keyHash());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void aDryRunAnswersThePlanAndWritesNothing(String kind) {
    try (var db = TestDatabases.open(kind)) {
      var s = Store.of(db);
      var route = s.routes.create(spec("/shop", "v1"), "alice");
      s.routes.delete(route.id(), "bob", null);
      long latest = s.log.latestRevision();

      var plan = s.reverter.plan(1);

      assertThat(plan.steps())
          .singleElement()
          .satisfies(
              st -> {
                assertThat(st.op()).isEqualTo(Change.Op.INSERT);
                assertThat(st.before()).isNull();
                assertThat(st.after().get("id").asText()).isEqualTo(route.id());
              });
      assertThat(plan.revisions()).isEmpty();
      assertThat(plan.fromRevision()).isEqualTo(latest);
      assertThat(s.log.latestRevision()).isEqualTo(latest);
      assertThat(s.routes.get(route.id())).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void aRevokedApiKeyIsNotBroughtBackSoTheRevertIsRefusedWithNothingWritten(String kind) {
    try (var db = TestDatabases.open(kind)) {
      var s = Store.of(db);
      s.tenants.create(new TenantSpec("acme", "ACME", true, null), "alice");
      var key = s.tenants.issueKey("acme", null, "alice");
      var route = s.routes.create(spec("/shop", "v1"), "alice");
      long target = s.log.latestRevision();
      s.tenants.revokeKey("acme", key.apiKey().id(), "bob");
      s.routes.delete(route.id(), "bob", null);
      long latest = s.log.latestRevision();

      assertThatThrownBy(() -> s.reverter.revert(target, null, "carol"))
          .isInstanceOfSatisfying(
              ProblemException.class,
              e -> {
                assertThat(e.problem().status()).isEqualTo(409);
                assertThat(e.problem().typeName()).isEqualTo("revert-refused");
                @SuppressWarnings("unchecked")
                var refused = (List<RevertPlan.Entity>) e.problem().extensions().get("refused");
                assertThat(refused)
                    .singleElement()
                    .satisfies(
                        r -> {
                          assertThat(r.entityType()).isEqualTo(Change.EntityType.API_KEY);
                          assertThat(r.entityId()).isEqualTo(key.apiKey().id());
                          assertThat(r.reason()).contains("revoked");
                        });
              });
      assertThat(s.log.latestRevision()).isEqualTo(latest);
      assertThat(s.routes.get(route.id())).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void aChangeLoggedWithoutABeforeImageIsRefused(String kind) {
    try (var db = TestDatabases.open(kind)) {
      var s = Store.of(db);
      var route = s.routes.create(spec("/shop", "v1"), "alice");
      s.routes.replace(route.id(), spec("/shop", "v2"), "bob", null);
      // as a row logged before migration V51 looks
      db.database()
          .inTransaction(
              c ->
                  dev.crossgate.store.sql.Sql.update(
                      c, "UPDATE change_log SET before_body = NULL WHERE revision = 2"));

      var plan = s.reverter.plan(1);

      assertThat(plan.refused())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.entityId()).isEqualTo(route.id());
                assertThat(r.reason()).contains("revision 2").contains("before-images");
              });
      assertThatThrownBy(() -> s.reverter.revert(1, null, "carol"))
          .isInstanceOfSatisfying(
              ProblemException.class, e -> assertThat(e.problem().status()).isEqualTo(409));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void aTargetAfterTheLatestOrBeforeThePrunedLogIsInvalid(String kind) {
    try (var db = TestDatabases.open(kind)) {
      var s = Store.of(db);
      for (int i = 0; i < 5; i++) {
        s.routes.create(spec("/r" + i, "v1"), "alice");
      }
      s.log.prune(2);

      assertThatThrownBy(() -> s.reverter.plan(6))
          .isInstanceOfSatisfying(
              ProblemException.class,
              e -> {
                assertThat(e.problem().status()).isEqualTo(400);
                assertThat(e.problem().errors().get(0).field()).isEqualTo("toRevision");
                assertThat(e.problem().errors().get(0).message()).contains("latest revision, 5");
              });
      assertThatThrownBy(() -> s.reverter.plan(1))
          .isInstanceOfSatisfying(
              ProblemException.class,
              e -> assertThat(e.problem().errors().get(0).message()).contains("pruned"));
      assertThat(s.reverter.plan(3).steps()).hasSize(2);
    }
  }
}
