package dev.crossgate.admin.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.admin.AdminKit;
import dev.crossgate.tenant.TokenIssuer;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenIssuerEndpointTest {
  private static final String RSA_PUBLIC =
      "{\"kty\":\"RSA\",\"kid\":\"k1\",\"e\":\"AQAB\",\"n\":\"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw\"}";

  private static final String ACME_ISSUER =
      "{\"issuer\":\"https://login.acme.example\",\"audiences\":[\"crossgate\"],"
          + "\"keys\":["
          + RSA_PUBLIC
          + "],\"claimsToHeaders\":{\"sub\":\"X-Caller-Sub\"}}";

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void issuersAreWrittenReadListedAndRemovedAndReachTheNodesConfiguration(String dbKind)
      throws Exception {
    try (var kit = AdminKit.start(dbKind)) {
      kit.post("/admin/tenants", "{\"id\":\"acme\",\"name\":\"ACME\"}");
      kit.post("/admin/tenants", "{\"id\":\"globex\",\"name\":\"Globex\"}");

      var created = kit.put("/admin/tenants/acme/issuers/main", ACME_ISSUER);
      var replaced =
          kit.put(
              "/admin/tenants/acme/issuers/main",
              ACME_ISSUER.replace("\"crossgate\"", "\"crossgate\",\"api\""));
      var sameIssuerElsewhere = kit.put("/admin/tenants/globex/issuers/main", ACME_ISSUER);
      var noTenant = kit.put("/admin/tenants/nobody/issuers/main", ACME_ISSUER);
      var read = kit.get("/admin/tenants/acme/issuers/main");
      var listed = kit.get("/admin/tenants/acme/issuers");

      assertThat(created.status()).isEqualTo(201);
      assertThat(created.header("location")).isEqualTo("/admin/tenants/acme/issuers/main");
      assertThat(created.json().path("id").asText()).isEqualTo("acme/main");
      assertThat(created.json().path("clockSkewSeconds").asInt()).isEqualTo(60);
      assertThat(replaced.status()).isEqualTo(200);
      assertThat(replaced.json().path("createdAt").asText())
          .isEqualTo(created.json().path("createdAt").asText());
      assertThat(sameIssuerElsewhere.status()).isEqualTo(409);
      assertThat(noTenant.status()).isEqualTo(404);
      assertThat(read.json().path("audiences").size()).isEqualTo(2);
      assertThat(read.header("etag")).isNotNull();
      assertThat(listed.json().path("items").findValuesAsText("name")).containsExactly("main");
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  kit.controlPlane().follower().get().issuers().get("https://login.acme.example")
                      != null);
      assertThat(kit.controlPlane().follower().get().issuers().values())
          .extracting(TokenIssuer::tenantId, i -> i.audiences().size())
          .containsExactly(org.assertj.core.groups.Tuple.tuple("acme", 2));

      var removed = kit.delete("/admin/tenants/acme/issuers/main");
      var again = kit.delete("/admin/tenants/acme/issuers/main");

      assertThat(removed.status()).isEqualTo(204);
      assertThat(again.status()).isEqualTo(404);
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> kit.controlPlane().follower().get().issuers().isEmpty());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2"})
  void everyBadFieldIsNamedAtOnceAndNothingIsWritten(String dbKind) throws Exception {
    try (var kit = AdminKit.start(dbKind)) {
      kit.post("/admin/tenants", "{\"id\":\"acme\",\"name\":\"ACME\"}");
      var before = kit.get("/admin/changes").json().path("items").size();

      var everything =
          kit.put(
              "/admin/tenants/acme/issuers/main",
              "{\"issuer\":\"not a url\",\"audiences\":[],\"jwksUrl\":\"ftp://x\","
                  + "\"claimsToHeaders\":{\"sub\":\"Authorization\",\"email\":\"bad header\"},"
                  + "\"clockSkewSeconds\":3600}");
      var symmetric =
          kit.put(
              "/admin/tenants/acme/issuers/main",
              "{\"issuer\":\"https://id.example\",\"audiences\":[\"a\"],"
                  + "\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}");
      var privateKey =
          kit.put(
              "/admin/tenants/acme/issuers/main",
              "{\"issuer\":\"https://id.example\",\"audiences\":[\"a\"],"
                  + "\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\","
                  + "\"x\":\"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4\","
                  + "\"y\":\"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM\","
                  + "\"d\":\"870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE\"}]}");
      var both =
          kit.put(
              "/admin/tenants/acme/issuers/main",
              "{\"issuer\":\"https://id.example\",\"audiences\":[\"a\"],"
                  + "\"jwksUrl\":\"https://id.example/jwks\",\"discover\":true}");
      var badName = kit.put("/admin/tenants/acme/issuers/-bad", ACME_ISSUER);
      var mistyped =
          kit.put(
              "/admin/tenants/acme/issuers/main",
              "{\"issuer\":\"https://id.example\",\"audiences\":\"crossgate\","
                  + "\"jwksUrl\":\"https://id.example/jwks\",\"clockSkewSeconds\":-1,\"colour\":1}");

      assertThat(everything.status()).isEqualTo(400);
      assertThat(everything.problemType()).isEqualTo("validation");
      assertThat(everything.errorFields())
          .contains(
              "issuer",
              "audiences",
              "jwksUrl",
              "claimsToHeaders.sub",
              "claimsToHeaders.email",
              "clockSkewSeconds");
      assertThat(symmetric.errorFields()).containsExactly("keys[0]");
      assertThat(privateKey.errorFields()).containsExactly("keys[0]");
      assertThat(privateKey.body()).doesNotContain("870MB6gf");
      assertThat(both.errorFields()).containsExactly("jwksUrl");
      assertThat(badName.errorFields()).containsExactly("name");
      assertThat(mistyped.errorFields())
          .containsExactlyInAnyOrder("audiences", "clockSkewSeconds", "colour");
      assertThat(kit.get("/admin/changes").json().path("items").size()).isEqualTo(before);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2"})
  void aTenantRegistersAtMostSixteenIssuers(String dbKind) throws Exception {
    try (var kit = AdminKit.start(dbKind)) {
      kit.post("/admin/tenants", "{\"id\":\"acme\",\"name\":\"ACME\"}");
      for (int i = 0; i < 16; i++) {
        assertThat(
                kit.put(
                        "/admin/tenants/acme/issuers/i" + i,
                        ACME_ISSUER.replace("login.acme.example", "login" + i + ".acme.example"))
                    .status())
            .isEqualTo(201);
      }

      var seventeenth =
          kit.put(
              "/admin/tenants/acme/issuers/one-more",
              ACME_ISSUER.replace("login.acme.example", "more.acme.example"));
      var replaced =
          kit.put(
              "/admin/tenants/acme/issuers/i0",
              ACME_ISSUER.replace("login.acme.example", "login0.acme.example"));

      assertThat(seventeenth.status()).isEqualTo(409);
      assertThat(seventeenth.json().path("detail").asText()).contains("16 token issuers");
      assertThat(replaced.status()).isEqualTo(200);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2"})
  void aTenantsOwnKeyManagesItsIssuersButNotAnotherTenants(String dbKind) throws Exception {
    try (var kit = AdminKit.start(dbKind)) {
      kit.post("/admin/tenants", "{\"id\":\"acme\",\"name\":\"ACME\"}");
      kit.post("/admin/tenants", "{\"id\":\"globex\",\"name\":\"Globex\"}");
      kit.put(
          "/admin/tenants/globex/issuers/main",
          ACME_ISSUER.replace("login.acme.example", "login.globex.example"));
      var key = kit.post("/admin/tenants/acme/keys", "{}").json().path("key").asText();
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  kit.send("GET", "/admin/tenants/acme/issuers", key, null, null).status() == 200);

      var own =
          kit.send("PUT", "/admin/tenants/acme/issuers/main", key, "application/json", ACME_ISSUER);
      var theirs =
          kit.send(
              "PUT",
              "/admin/tenants/globex/issuers/main",
              key,
              "application/json",
              ACME_ISSUER.replace("login.acme.example", "login.evil.example"));
      var theirList = kit.send("GET", "/admin/tenants/globex/issuers", key, null, null);
      var theirDelete = kit.send("DELETE", "/admin/tenants/globex/issuers/main", key, null, null);

      assertThat(own.status()).isEqualTo(201);
      assertThat(own.json().path("createdBy").asText()).isEqualTo("tenant:acme");
      assertThat(theirs.status()).isEqualTo(403);
      assertThat(theirList.status()).isEqualTo(403);
      assertThat(theirList.body()).doesNotContain("login.globex.example");
      assertThat(theirDelete.status()).isEqualTo(403);
      assertThat(kit.get("/admin/tenants/globex/issuers/main").json().path("issuer").asText())
          .isEqualTo("https://login.globex.example");
    }
  }
}
