package dev.crossgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossgate.change.Change;
import dev.crossgate.cluster.ClusterMessage;
import dev.crossgate.json.Json;
import dev.crossgate.ratelimit.RateLimit;
import dev.crossgate.route.Route;
import dev.crossgate.route.RouteMatch;
import dev.crossgate.tenant.ApiKey;
import dev.crossgate.tenant.Tenant;
import dev.crossgate.tenant.TenantCertificate;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigApplierTest {
  private static final Instant AT = Instant.parse("2026-11-23T00:00:00Z");

  private static Route route(String id, String path, String target) {
    return new Route(
        id, "shop", null, null, "a", AT, AT, null, path, null, null, false, List.of(), target, null,
        null, List.of(), List.of(), null, null, null, false, true, 0);
  }

  private static Change change(
      long revision, Change.Op op, Change.EntityType type, String id, Object body) {
    return new Change(
        revision, op, type, id, body == null ? null : Json.mapper().valueToTree(body), "alice", AT);
  }

  @Test
  void insertsUpdatesAndDeletesProduceANewSnapshotAndLeaveTheOldOneAlone() {
    var start = GatewayConfig.EMPTY;

    var next =
        ConfigApplier.apply(
            start,
            List.of(
                change(
                    1,
                    Change.Op.INSERT,
                    Change.EntityType.ROUTE,
                    "rt_a",
                    route("rt_a", "/a", "http://one")),
                change(
                    2,
                    Change.Op.INSERT,
                    Change.EntityType.ROUTE,
                    "rt_b",
                    route("rt_b", "/b", "http://two")),
                change(
                    3,
                    Change.Op.UPDATE,
                    Change.EntityType.ROUTE,
                    "rt_a",
                    route("rt_a", "/a", "http://three")),
                change(4, Change.Op.DELETE, Change.EntityType.ROUTE, "rt_b", null),
                change(
                    5,
                    Change.Op.INSERT,
                    Change.EntityType.API_KEY,
                    "key_1",
                    new ApiKey("key_1", "acme", null, "hash1", "cg_abcde", AT))));

    assertThat(next.revision()).isEqualTo(5);
    assertThat(next.routes().revision()).isEqualTo(5);
    assertThat(next.routes().size()).isEqualTo(1);
    var match = next.routes().match("h", "/a/x", "GET", null);
    assertThat(match)
        .isInstanceOfSatisfying(
            RouteMatch.Found.class, f -> assertThat(f.targetPath()).isEqualTo("http://three/x"));
    assertThat(next.apiKeys()).containsKey("hash1");
    assertThat(start.routes().size()).isZero();
  }

  @Test
  void theIncrementalHashEqualsAHashComputedFromScratch() {
    var applied =
        ConfigApplier.apply(
            GatewayConfig.EMPTY,
            List.of(
                change(
                    1,
                    Change.Op.INSERT,
                    Change.EntityType.ROUTE,
                    "rt_a",
                    route("rt_a", "/a", "http://one")),
                change(
                    2,
                    Change.Op.INSERT,
                    Change.EntityType.ROUTE,
                    "rt_b",
                    route("rt_b", "/b", "http://two"))));
    applied =
        ConfigApplier.apply(
            applied,
            List.of(
                change(
                    3,
                    Change.Op.UPDATE,
                    Change.EntityType.ROUTE,
                    "rt_a",
                    route("rt_a", "/a", "http://three")),
                change(4, Change.Op.DELETE, Change.EntityType.ROUTE, "rt_b", null),
                change(
                    5,
                    Change.Op.INSERT,
                    Change.EntityType.API_KEY,
                    "key_1",
                    new ApiKey("key_1", "acme", null, "hash1", "cg_abcde", AT))));

    var fromScratch = new GatewayConfig(5, applied.routes(), applied.filters(), applied.apiKeys());

    assertThat(applied.hash()).isEqualTo(fromScratch.hash());
    assertThat(applied.hash()).isNotEqualTo(GatewayConfig.EMPTY.hash());
    assertThat(applied.hashHex()).hasSize(16);
  }

  @Test
  void registeredClientCertificatesTravelByDeltaAndSnapshotWithTheSameHash() throws Exception {
    var bySubject =
        new TenantCertificate(
            "cert_1", "acme", TenantCertificate.Kind.SUBJECT, "CN=billing, O=Acme", AT);
    var bySpki =
        new TenantCertificate(
            "cert_2", "globex", TenantCertificate.Kind.SPKI_SHA256, "ab".repeat(32), AT);

    var applied =
        ConfigApplier.apply(
            GatewayConfig.EMPTY,
            List.of(
                change(1, Change.Op.INSERT, Change.EntityType.CLIENT_CERT, "cert_1", bySubject),
                change(2, Change.Op.INSERT, Change.EntityType.CLIENT_CERT, "cert_2", bySpki),
                change(3, Change.Op.DELETE, Change.EntityType.CLIENT_CERT, "cert_2", null)));
    var wire = Json.mapper().writeValueAsString(ClusterMessage.Snapshot.of(applied));
    var received = Json.mapper().readValue(wire, ClusterMessage.class);
    var fromScratch =
        new GatewayConfig(
            3,
            applied.routes(),
            List.of(),
            java.util.Map.of(),
            List.of(),
            List.of(),
            List.of(bySubject),
            List.of(),
            List.of(),
            java.util.Map.of());

    assertThat(applied.clientCertificates()).containsOnlyKeys("subject:cn=billing,o=acme");
    assertThat(applied.hash())
        .isEqualTo(fromScratch.hash())
        .isNotEqualTo(GatewayConfig.EMPTY.hash());
    assertThat(((ClusterMessage.Snapshot) received).toConfig().clientCertificates())
        .isEqualTo(applied.clientCertificates());
    assertThat(((ClusterMessage.Snapshot) received).toConfig().hash()).isEqualTo(applied.hash());
  }

  @Test
  void upstreamsTravelByDeltaAndSnapshotWithTheSameHash() throws Exception {
    var orders =
        new dev.crossgate.upstream.Upstream(
            "orders",
            List.of(new dev.crossgate.upstream.Upstream.Target("http://a:1", 100)),
            null,
            null,
            null,
            null,
            null,
            "alice",
            AT,
            AT,
            1);
    var edited =
        new dev.crossgate.upstream.Upstream(
            "orders",
            List.of(
                new dev.crossgate.upstream.Upstream.Target("http://a:1", 100),
                new dev.crossgate.upstream.Upstream.Target("http://b:1", 50)),
            dev.crossgate.upstream.Upstream.Algorithm.LEAST_CONNECTIONS,
            null,
            null,
            null,
            null,
            "alice",
            AT,
            AT,
            2);
    var pooled =
        new Route(
            "rt_p", "shop", null, null, "a", AT, AT, null, "/p", null, null, false, List.of(), null,
            null, null, List.of(), List.of(), null, null, null, false, true, 0, null, null, null,
            "orders", "/v2", null, null, null, null, null);

    var applied =
        ConfigApplier.apply(
            GatewayConfig.EMPTY,
            List.of(
                change(1, Change.Op.INSERT, Change.EntityType.UPSTREAM, "orders", orders),
                change(2, Change.Op.UPDATE, Change.EntityType.UPSTREAM, "orders", edited),
                change(3, Change.Op.INSERT, Change.EntityType.ROUTE, "rt_p", pooled)));
    var wire = Json.mapper().writeValueAsString(ClusterMessage.Snapshot.of(applied));
    var received = ((ClusterMessage.Snapshot) Json.mapper().readValue(wire, ClusterMessage.class));
    var deleted =
        ConfigApplier.apply(
            applied,
            List.of(change(4, Change.Op.DELETE, Change.EntityType.UPSTREAM, "orders", null)));

    assertThat(applied.upstreams()).containsOnlyKeys("orders");
    assertThat(applied.upstreams().get("orders").targets()).hasSize(2);
    assertThat(received.toConfig().upstreams()).isEqualTo(applied.upstreams());
    assertThat(received.toConfig().hash()).isEqualTo(applied.hash());
    assertThat(received.toConfig().routes().routes())
        .extracting(Route::upstream)
        .contains("orders");
    assertThat(deleted.upstreams()).isEmpty();
    assertThat(deleted.hash()).isNotEqualTo(applied.hash());
    // a change no node serves differently (a renamed tenant) and a later revision keep the pools
    var renamed =
        ConfigApplier.apply(
            applied,
            List.of(
                change(
                    4,
                    Change.Op.INSERT,
                    Change.EntityType.TENANT,
                    "acme",
                    new Tenant("acme", "Acme", true, AT, AT, 4, null))));
    assertThat(renamed.upstreams()).isEqualTo(applied.upstreams());
    assertThat(renamed.atRevision(9).upstreams()).isEqualTo(applied.upstreams());
    assertThat(renamed.withoutRoutes(List.of("rt_p")).upstreams()).isEqualTo(applied.upstreams());
  }

  private static dev.crossgate.tenant.TokenIssuer issuer(String tenant, String url, int skew) {
    return new dev.crossgate.tenant.TokenIssuer(
        null,
        tenant,
        "main",
        url,
        List.of("crossgate"),
        url + "/jwks",
        List.of(),
        false,
        java.util.Map.of("sub", "X-Caller-Sub"),
        skew,
        "alice",
        AT,
        AT,
        1);
  }

  @Test
  void tokenIssuersTravelInDeltasAndSnapshotsAndCountInTheHash() throws Exception {
    var acme = issuer("acme", "https://login.acme.example", 60);
    var applied =
        ConfigApplier.apply(
            GatewayConfig.EMPTY,
            List.of(
                change(1, Change.Op.INSERT, Change.EntityType.ISSUER, acme.id(), acme),
                change(
                    2,
                    Change.Op.UPDATE,
                    Change.EntityType.ISSUER,
                    acme.id(),
                    issuer("acme", "https://login.acme.example", 30))));
    var wire = Json.mapper().writeValueAsString(ClusterMessage.Snapshot.of(applied));
    var received = ((ClusterMessage.Snapshot) Json.mapper().readValue(wire, ClusterMessage.class));
    var deleted =
        ConfigApplier.apply(
            applied,
            List.of(change(3, Change.Op.DELETE, Change.EntityType.ISSUER, acme.id(), null)));

    assertThat(applied.issuers()).containsOnlyKeys("https://login.acme.example");
    assertThat(applied.issuers().get("https://login.acme.example").clockSkewSeconds())
        .isEqualTo(30);
    assertThat(received.toConfig().issuers()).isEqualTo(applied.issuers());
    assertThat(received.toConfig().hash()).isEqualTo(applied.hash());
    assertThat(deleted.issuers()).isEmpty();
    assertThat(deleted.hash()).isEqualTo(GatewayConfig.EMPTY.hash());
  }

  @Test
  void aChangeNodesDoNotServeKeepsTheUpstreamsAndIssuersTheyDo() {
    var acme = issuer("acme", "https://login.acme.example", 60);
    var orders =
        new dev.crossgate.upstream.Upstream(
            "orders",
            List.of(new dev.crossgate.upstream.Upstream.Target("http://a:1", 100)),
            null,
            null,
            null,
            null,
            null,
            "alice",
            AT,
            AT,
            1);
    var served =
        ConfigApplier.apply(
            GatewayConfig.EMPTY,
            List.of(
                change(1, Change.Op.INSERT, Change.EntityType.UPSTREAM, "orders", orders),
                change(2, Change.Op.INSERT, Change.EntityType.ISSUER, acme.id(), acme)));

    // a tenant edit that leaves it enabled changes nothing nodes serve (the hash stays)
    var afterTenantEdit =
        ConfigApplier.apply(
            served,
            List.of(
                change(
                    3,
                    Change.Op.UPDATE,
                    Change.EntityType.TENANT,
                    "acme",
                    new Tenant("acme", "ACME", true, AT, AT, 3, null))));

    assertThat(afterTenantEdit.hash()).isEqualTo(served.hash());
    assertThat(afterTenantEdit.upstreams()).containsOnlyKeys("orders");
    assertThat(afterTenantEdit.issuers()).containsOnlyKeys("https://login.acme.example");
    assertThat(afterTenantEdit.atRevision(9).issuers()).isEqualTo(served.issuers());
    assertThat(afterTenantEdit.atRevision(9).upstreams()).isEqualTo(served.upstreams());
  }

  @Test
  void withoutTlsSettingsARouteAndASnapshotAreWrittenAsBeforeSoOlderNodesStillReadAndHashThem() {
    var config =
        new GatewayConfig(
            1,
            dev.crossgate.route.RouteTable.of(List.of(route("rt_a", "/a", "http://one")), 1),
            List.of(),
            java.util.Map.of());

    var routeJson = Json.write(route("rt_a", "/a", "http://one"));
    var snapshotJson = Json.write(ClusterMessage.Snapshot.of(config));

    assertThat(routeJson).doesNotContain("tls", "forwardClientCertSubject");
    assertThat(snapshotJson).doesNotContain("clientCertificates");
  }

  @Test
  void changesAtOrBelowTheCurrentRevisionAreIgnored() {
    var once =
        ConfigApplier.apply(
            GatewayConfig.EMPTY,
            List.of(
                change(
                    1,
                    Change.Op.INSERT,
                    Change.EntityType.ROUTE,
                    "rt_a",
                    route("rt_a", "/a", "http://one"))));

    var replayed =
        ConfigApplier.apply(
            once, List.of(change(1, Change.Op.DELETE, Change.EntityType.ROUTE, "rt_a", null)));

    assertThat(replayed.routes().size()).isEqualTo(1);
    assertThat(replayed.revision()).isEqualTo(1);
  }

  @Test
  void anUnreadableChangeFailsTheWholeBatchNamingTheEntity() {
    var broken =
        new Change(
            2,
            Change.Op.INSERT,
            Change.EntityType.ROUTE,
            "rt_bad",
            Json.mapper().createObjectNode().put("id", "rt_bad"),
            "alice",
            AT);
    var good =
        change(
            1,
            Change.Op.INSERT,
            Change.EntityType.ROUTE,
            "rt_a",
            route("rt_a", "/a", "http://one"));

    assertThatThrownBy(() -> ConfigApplier.apply(GatewayConfig.EMPTY, List.of(good, broken)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rt_bad")
        .hasMessageContaining("2");
  }

  @Test
  void disablingATenantTravelsAsATenantChangeAndIsPartOfTheHash() {
    var disabled =
        ConfigApplier.apply(
            GatewayConfig.EMPTY,
            List.of(
                change(
                    1,
                    Change.Op.INSERT,
                    Change.EntityType.TENANT,
                    "acme",
                    new Tenant("acme", "Acme", true, AT, AT, 1, null)),
                change(
                    2,
                    Change.Op.INSERT,
                    Change.EntityType.TENANT,
                    "beta",
                    new Tenant("beta", "Beta", true, AT, AT, 2, null)),
                change(
                    3,
                    Change.Op.UPDATE,
                    Change.EntityType.TENANT,
                    "acme",
                    new Tenant("acme", "Acme", false, AT, AT, 3, null))));
    var enabledAgain =
        ConfigApplier.apply(
            disabled,
            List.of(
                change(
                    4,
                    Change.Op.UPDATE,
                    Change.EntityType.TENANT,
                    "acme",
                    new Tenant("acme", "Acme", true, AT, AT, 4, null))));

    var fromScratch =
        new GatewayConfig(
            3,
            disabled.routes(),
            disabled.filters(),
            disabled.apiKeys(),
            List.of(),
            List.of("acme"),
            List.of(),
            List.of(),
            List.of(),
            java.util.Map.of());
    var snapshot = dev.crossgate.cluster.ClusterMessage.Snapshot.of(disabled).toConfig();

    assertThat(disabled.tenantDisabled("acme")).isTrue();
    assertThat(disabled.tenantDisabled("beta")).isFalse();
    assertThat(disabled.hash())
        .isEqualTo(fromScratch.hash())
        .isNotEqualTo(GatewayConfig.EMPTY.hash());
    assertThat(snapshot.tenantDisabled("acme")).isTrue();
    assertThat(snapshot.hash()).isEqualTo(disabled.hash());
    assertThat(enabledAgain.tenantDisabled("acme")).isFalse();
    assertThat(enabledAgain.hash()).isEqualTo(GatewayConfig.EMPTY.hash());
  }

  @Test
  void aTenantsRateLimitsTravelWithTheTenantAndArePartOfTheHash() {
    var limits = List.of(new RateLimit(RateLimit.Scope.TENANT, 50, RateLimit.Window.SECOND, 5));
    var limited =
        ConfigApplier.apply(
            GatewayConfig.EMPTY,
            List.of(
                change(
                    1,
                    Change.Op.INSERT,
                    Change.EntityType.TENANT,
                    "acme",
                    new Tenant("acme", "Acme", true, AT, AT, 1, limits))));
    var lifted =
        ConfigApplier.apply(
            limited,
            List.of(
                change(
                    2,
                    Change.Op.UPDATE,
                    Change.EntityType.TENANT,
                    "acme",
                    new Tenant("acme", "Acme", true, AT, AT, 2, null))));

    var fromScratch =
        new GatewayConfig(
            1,
            limited.routes(),
            List.of(),
            java.util.Map.of(),
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            java.util.Map.of("acme", limits));
    var snapshot = ClusterMessage.Snapshot.of(limited).toConfig();

    assertThat(limited.tenantRateLimits("acme")).isEqualTo(limits);
    assertThat(limited.hash())
        .isEqualTo(fromScratch.hash())
        .isNotEqualTo(GatewayConfig.EMPTY.hash());
    assertThat(snapshot.tenantRateLimits("acme")).isEqualTo(limits);
    assertThat(snapshot.hash()).isEqualTo(limited.hash());
    assertThat(limited.atRevision(5).tenantRateLimits("acme")).isEqualTo(limits);
    assertThat(lifted.tenantRateLimits("acme")).isEmpty();
    assertThat(lifted.hash()).isEqualTo(GatewayConfig.EMPTY.hash());
  }

  @Test
  void anAuditEntryAdvancesTheRevisionAndLeavesWhatNodesServeAsItWas() {
    var start =
        ConfigApplier.apply(
            GatewayConfig.EMPTY,
            List.of(
                change(
                    1,
                    Change.Op.INSERT,
                    Change.EntityType.ROUTE,
                    "rt_a",
                    route("rt_a", "/a", "http://one"))));
    var token = Json.mapper().createObjectNode().put("id", "tok_1").put("name", "ci");

    var next =
        ConfigApplier.apply(
            start,
            List.of(
                new Change(
                    2,
                    Change.Op.INSERT,
                    Change.EntityType.ADMIN_TOKEN,
                    "tok_1",
                    token,
                    "alice",
                    AT)));

    assertThat(next.revision()).isEqualTo(2);
    assertThat(next.hash()).isEqualTo(start.hash());
    assertThat(next.routes().get("rt_a")).isNotNull();
    assertThat(Change.EntityType.ADMIN_TOKEN.reachesNodes()).isFalse();
  }

  @Test
  void aChangeFromAControlPlaneBeforeBeforeImagesReadsItsBodyAsTheAfterImage() throws Exception {
    var json =
        "{\"revision\":3,\"op\":\"UPDATE\",\"entityType\":\"TENANT\",\"entityId\":\"acme\","
            + "\"body\":{\"id\":\"acme\"},\"actor\":\"alice\",\"at\":\"2026-11-23T00:00:00Z\"}";

    var change = Json.mapper().readValue(json, Change.class);

    assertThat(change.after().path("id").asText()).isEqualTo("acme");
    assertThat(change.before()).isNull();
  }

  @Test
  void whatNodesAreSentOfAChangeHasNoBeforeImage() {
    var before = Json.mapper().valueToTree(route("rt_a", "/a", "http://one"));
    var after = Json.mapper().valueToTree(route("rt_a", "/a", "http://two"));
    var logged =
        new Change(
            2, Change.Op.UPDATE, Change.EntityType.ROUTE, "rt_a", before, after, "alice", AT);

    var sent = logged.forNodes();

    assertThat(sent.before()).isNull();
    assertThat(sent.after()).isEqualTo(after);
    assertThat(Json.write(sent)).doesNotContain("\"before\"").contains("\"after\"");
  }
}
