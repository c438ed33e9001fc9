package dev.crossgate.admin.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.admin.AdminKit;
import dev.crossgate.tenant.TenantCertificate;
import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TenantCertificateEndpointTest {
  private static final String FINGERPRINT = "AB:".repeat(31) + "AB";

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void registeredCertificatesReachTheNodesConfigurationOnceAndLeaveItWhenRemoved(String dbKind)
      throws Exception {
    try (var kit = AdminKit.start(dbKind)) {
      kit.post("/admin/tenants", "{\"id\":\"acme\",\"name\":\"ACME\"}");
      kit.post("/admin/tenants", "{\"id\":\"globex\",\"name\":\"Globex\"}");

      var bySubject =
          kit.post(
              "/admin/tenants/acme/certificates",
              "{\"kind\":\"SUBJECT\",\"value\":\"CN=billing, O=Acme\"}");
      var bySpki =
          kit.post(
              "/admin/tenants/acme/certificates",
              "{\"kind\":\"SPKI_SHA256\",\"value\":\"" + FINGERPRINT + "\"}");
      var sameSubjectElsewhere =
          kit.post(
              "/admin/tenants/globex/certificates",
              "{\"kind\":\"SUBJECT\",\"value\":\"cn=billing,o=acme\"}");
      var notADn =
          kit.post(
              "/admin/tenants/acme/certificates", "{\"kind\":\"SUBJECT\",\"value\":\"billing\"}");
      var badKind =
          kit.post("/admin/tenants/acme/certificates", "{\"kind\":\"PEM\",\"value\":\"x\"}");
      var noTenant =
          kit.post(
              "/admin/tenants/nobody/certificates", "{\"kind\":\"SUBJECT\",\"value\":\"CN=x\"}");
      var listed = kit.get("/admin/tenants/acme/certificates");

      assertThat(bySubject.status()).isEqualTo(201);
      assertThat(bySubject.json().path("value").asText()).isEqualTo("CN=billing,O=Acme");
      assertThat(bySpki.json().path("value").asText()).isEqualTo("ab".repeat(32));
      assertThat(sameSubjectElsewhere.status()).isEqualTo(409);
      assertThat(notADn.errorFields()).containsExactly("value");
      assertThat(badKind.errorFields()).containsExactly("kind");
      assertThat(noTenant.status()).isEqualTo(404);
      assertThat(listed.json().path("items").findValuesAsText("id"))
          .containsExactly(bySubject.json().path("id").asText(), bySpki.json().path("id").asText());
      Awaitility.await()
          .until(() -> kit.controlPlane().follower().get().clientCertificates().size() == 2);
      assertThat(kit.controlPlane().follower().get().clientCertificates().values())
          .extracting(TenantCertificate::tenantId)
          .containsOnly("acme");

      var removed =
          kit.delete("/admin/tenants/acme/certificates/" + bySubject.json().path("id").asText());
      var again =
          kit.delete("/admin/tenants/acme/certificates/" + bySubject.json().path("id").asText());

      assertThat(removed.status()).isEqualTo(204);
      assertThat(again.status()).isEqualTo(404);
      Awaitility.await()
          .until(() -> kit.controlPlane().follower().get().clientCertificates().size() == 1);
      assertThat(kit.controlPlane().follower().get().clientCertificates())
          .containsKey("spki:" + "ab".repeat(32));
    }
  }
}
