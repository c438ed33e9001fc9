package dev.crossgate.admin.change;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crossgate.admin.AdminKit;
import java.net.http.HttpRequest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The change log as an audit trail (before and after every change, admin tokens included) and the
 * revert over the real Admin API, on PostgreSQL.
 */
class ChangeEndpointTest {
  private static final String ROUTE =
      "{\"service\":\"shop\",\"sourcePath\":\"%s\",\"targetUrl\":\"http://svc%s\"}";

  private static String route(String path, String target) {
    return String.format(ROUTE, path, target);
  }

  private static AdminKit.Reply revert(AdminKit kit, String body, String ifMatch) throws Exception {
    var request =
        HttpRequest.newBuilder(kit.uri("/admin/changes/revert"))
            .header("Authorization", "Bearer " + AdminKit.ADMIN_TOKEN)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (ifMatch != null) {
      request.header("If-Match", ifMatch);
    }
    return kit.send(request);
  }

  @Test
  void everyRouteChangeShowsTheRouteBeforeAndAfterIt() throws Exception {
    try (var kit = AdminKit.start("postgres")) {
      var created = kit.post("/admin/routes", route("/shop", "/v1"));
      var id = created.json().path("id").asText();
      kit.put("/admin/routes/" + id, route("/shop", "/v2"));
      kit.delete("/admin/routes/" + id);

      var items = kit.get("/admin/changes?after=0").json().path("items");

      assertThat(items).hasSize(3);
      assertThat(items.get(0).path("op").asText()).isEqualTo("INSERT");
      assertThat(items.get(0).has("before")).isFalse();
      assertThat(items.get(0).path("after").path("targetUrl").asText()).isEqualTo("http://svc/v1");
      assertThat(items.get(1).path("before").path("targetUrl").asText()).isEqualTo("http://svc/v1");
      assertThat(items.get(1).path("after").path("targetUrl").asText()).isEqualTo("http://svc/v2");
      assertThat(items.get(2).path("op").asText()).isEqualTo("DELETE");
      assertThat(items.get(2).path("before").path("targetUrl").asText()).isEqualTo("http://svc/v2");
      assertThat(items.get(2).has("after")).isFalse();
    }
  }

  @Test
  void issuingAndRevokingAnAdminTokenAreAuditEntriesWithoutTheSecret() throws Exception {
    try (var kit = AdminKit.start("postgres")) {
      long before = kit.get("/admin/changes").json().path("latestRevision").asLong();
      String hashBefore = kit.controlPlane().follower().get().hashHex();

      var issued = kit.post("/admin/tokens", "{\"name\":\"ci-reader\",\"role\":\"VIEWER\"}");
      var tokenId = issued.json().path("id").asText();
      var revoked = kit.delete("/admin/tokens/" + tokenId);
      var log = kit.get("/admin/changes?after=" + before);

      assertThat(issued.status()).isEqualTo(201);
      assertThat(revoked.status()).isEqualTo(204);
      var items = log.json().path("items");
      assertThat(items).hasSize(2);
      assertThat(items.findValuesAsText("entityType")).containsOnly("ADMIN_TOKEN");
      assertThat(items.findValuesAsText("op")).containsExactly("INSERT", "DELETE");
      assertThat(items.findValuesAsText("actor")).containsOnly("bootstrap");
      assertThat(items.get(0).path("after").path("name").asText()).isEqualTo("ci-reader");
      assertThat(items.get(1).path("before").path("role").asText()).isEqualTo("VIEWER");
      var secret = issued.json().path("token").asText();
      assertThat(log.body()).doesNotContain(secret).doesNotContain(secret.substring(4, 20));
      assertThat(log.body()).doesNotContain(dev.crossgate.auth.Secrets.sha256Hex(secret));
      // the configuration nodes serve did not change, yet its revision follows the log
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> kit.controlPlane().follower().get().revision() == before + 2);
      assertThat(kit.controlPlane().follower().get().hashHex()).isEqualTo(hashBefore);
    }
  }

  @Test
  void aRevertRestoresTheConfigurationHashOfTheTargetRevisionAsNewRevisions() throws Exception {
    try (var kit = AdminKit.start("postgres")) {
      var kept = kit.post("/admin/routes", route("/kept", "/k1"));
      var keptId = kept.json().path("id").asText();
      var filter = kit.post("/admin/filters", "{\"kind\":\"IP\",\"value\":\"10.0.0.1\"}");
      long target = kit.get("/admin/changes").json().path("latestRevision").asLong();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> kit.controlPlane().follower().hashAt(target) != null);
      var hashAtTarget = kit.controlPlane().follower().hashAt(target);

      kit.put("/admin/routes/" + keptId, route("/kept", "/k2"));
      var added = kit.post("/admin/routes", route("/added", "/a"));
      kit.delete("/admin/filters/" + filter.json().path("id").asText());
      long latest = kit.get("/admin/changes").json().path("latestRevision").asLong();

      var preview = revert(kit, "{\"toRevision\":" + target + ",\"dryRun\":true}", null);

      assertThat(preview.status()).as(preview.body()).isEqualTo(200);
      assertThat(preview.header("etag")).isEqualTo("\"" + latest + "\"");
      assertThat(preview.json().path("dryRun").asBoolean()).isTrue();
      assertThat(preview.json().path("changes")).hasSize(3);
      assertThat(preview.json().path("changes").findValuesAsText("op"))
          .containsExactlyInAnyOrder("DELETE", "UPDATE", "INSERT");
      assertThat(preview.json().path("changes"))
          .allSatisfy(c -> assertThat(c.has("revision")).isFalse());
      assertThat(kit.get("/admin/changes").json().path("latestRevision").asLong())
          .as("a dry run writes nothing")
          .isEqualTo(latest);

      var applied = revert(kit, "{\"toRevision\":" + target + "}", preview.header("etag"));

      assertThat(applied.status()).as(applied.body()).isEqualTo(200);
      assertThat(applied.json().path("changes"))
          .extracting(c -> c.path("revision").asLong())
          .containsExactly(latest + 1, latest + 2, latest + 3);
      assertThat(applied.header("etag")).isEqualTo("\"" + (latest + 3) + "\"");
      assertThat(kit.get("/admin/routes/" + keptId).json().path("targetUrl").asText())
          .isEqualTo("http://svc/k1");
      assertThat(kit.get("/admin/routes/" + added.json().path("id").asText()).status())
          .isEqualTo(404);
      assertThat(kit.get("/admin/filters").json().path("items").findValuesAsText("id"))
          .containsExactly(filter.json().path("id").asText());
      var log = kit.get("/admin/changes?after=" + latest).json();
      assertThat(log.path("items")).hasSize(3);
      assertThat(log.path("items").findValuesAsText("actor")).containsOnly("bootstrap");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> kit.controlPlane().follower().get().revision() == latest + 3);
      assertThat(kit.controlPlane().follower().get().hash()).isEqualTo(hashAtTarget);

      var stale = revert(kit, "{\"toRevision\":" + target + "}", "\"" + latest + "\"");
      assertThat(stale.status()).isEqualTo(412);
      assertThat(stale.header("content-type")).startsWith("application/problem+json");
    }
  }

  @Test
  void aRevertThatWouldBringBackARevokedKeyIsRefusedWithTheEntityAndItsReason() throws Exception {
    try (var kit = AdminKit.start("postgres")) {
      kit.post("/admin/tenants", "{\"id\":\"acme\",\"name\":\"ACME\"}");
      var key = kit.post("/admin/tenants/acme/keys", "{}");
      long target = kit.get("/admin/changes").json().path("latestRevision").asLong();
      var keyId = key.json().path("id").asText();
      kit.delete("/admin/tenants/acme/keys/" + keyId);
      kit.post("/admin/routes", route("/later", "/l"));
      long latest = kit.get("/admin/changes").json().path("latestRevision").asLong();

      var preview = revert(kit, "{\"toRevision\":" + target + ",\"dryRun\":true}", null);
      var refused = revert(kit, "{\"toRevision\":" + target + "}", null);

      for (var reply : new AdminKit.Reply[] {preview, refused}) {
        assertThat(reply.status()).isEqualTo(409);
        assertThat(reply.header("content-type")).startsWith("application/problem+json");
        assertThat(reply.problemType()).isEqualTo("revert-refused");
        var entities = reply.json().path("refused");
        assertThat(entities).hasSize(1);
        assertThat(entities.get(0).path("entityType").asText()).isEqualTo("API_KEY");
        assertThat(entities.get(0).path("entityId").asText()).isEqualTo(keyId);
        assertThat(entities.get(0).path("reason").asText()).contains("revoked");
      }
      assertThat(kit.get("/admin/changes").json().path("latestRevision").asLong())
          .isEqualTo(latest);
      assertThat(kit.get("/admin/routes").json().path("items")).hasSize(1);
    }
  }

  @Test
  void badRevertRequestsAreProblemsNamingTheField() throws Exception {
    try (var kit = AdminKit.start("h2")) {
      kit.post("/admin/routes", route("/one", "/1"));

      var missing = revert(kit, "{\"dryRun\":true}", null);
      var negative = revert(kit, "{\"toRevision\":-1}", null);
      var ahead = revert(kit, "{\"toRevision\":99}", null);
      var wrongType = revert(kit, "{\"toRevision\":\"one\"}", null);
      var unknown = revert(kit, "{\"toRevision\":0,\"force\":true}", null);
      var badEtag = revert(kit, "{\"toRevision\":0}", "one");
      var viewer = kit.post("/admin/tokens", "{\"name\":\"reader\",\"role\":\"VIEWER\"}");
      var asViewer =
          kit.send(
              "POST",
              "/admin/changes/revert",
              viewer.json().path("token").asText(),
              "application/json",
              "{\"toRevision\":0,\"dryRun\":true}");

      for (var reply : new AdminKit.Reply[] {missing, negative, ahead, wrongType, unknown}) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.header("content-type")).startsWith("application/problem+json");
      }
      assertThat(missing.errorFields()).containsExactly("toRevision");
      assertThat(negative.errorFields()).containsExactly("toRevision");
      assertThat(ahead.errorFields()).containsExactly("toRevision");
      assertThat(ahead.json().path("errors").get(0).path("message").asText())
          .contains("latest revision, 1");
      assertThat(wrongType.errorFields()).containsExactly("toRevision");
      assertThat(badEtag.status()).isEqualTo(400);
      assertThat(asViewer.status()).isEqualTo(403);
      assertThat(kit.get("/admin/routes").json().path("items")).hasSize(1);
    }
  }
}
