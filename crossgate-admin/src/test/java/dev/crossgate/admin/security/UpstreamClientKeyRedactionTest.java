package dev.crossgate.admin.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossgate.admin.AdminKit;
import dev.crossgate.json.Json;
import dev.crossgate.route.StoredSecrets;
import dev.crossgate.tls.TestCertificates;
import org.junit.jupiter.api.Test;

/**
 * A route's upstream client key is a secret once stored: nodes receive it, but no Admin API read
 * (the route, the route list, the resolver, the change log) gives it back to any token; a console
 * that saves what it read keeps the stored key.
 */
class UpstreamClientKeyRedactionTest {
  @Test
  void noAdminApiReadShowsTheKeyAndSavingWhatWasReadKeepsIt() throws Exception {
    var ca = TestCertificates.authority("upstream-ca");
    var client = ca.client("CN=gateway");
    try (var kit = AdminKit.start("h2")) {
      var spec =
          Json.mapper()
              .createObjectNode()
              .put("service", "orders")
              .put("sourcePath", "/orders")
              .put("targetUrl", "https://orders.internal:8443");
      spec.putObject("tls")
          .put("caPem", ca.certPem())
          .put("clientCertPem", client.certPem())
          .put("clientKeyPem", client.keyPem());
      var created = kit.post("/admin/routes", Json.write(spec));
      assertThat(created.status()).as(created.body()).isEqualTo(201);
      var id = created.json().get("id").asText();

      var reads =
          java.util.List.of(
              created,
              kit.get("/admin/routes/" + id),
              kit.get("/admin/routes"),
              kit.get("/admin/resolve?url=/orders/x"),
              kit.get("/admin/changes?after=0"));
      for (var read : reads) {
        assertThat(read.body())
            .doesNotContain("PRIVATE KEY")
            .doesNotContain(client.keyPem().substring(40, 80));
      }
      assertThat(reads.get(1).json().get("tls").get("clientKeyPem").asText())
          .isEqualTo(StoredSecrets.STORED);

      // the console's edit: what it read, with one field changed, sent back whole
      var edited = (ObjectNode) reads.get(1).json().deepCopy();
      edited.put("summary", "edited");
      var saved = kit.put("/admin/routes/" + id, Json.write(edited));

      assertThat(saved.status()).as(saved.body()).isEqualTo(200);
      var stored = kit.controlPlane().routes().get(id).orElseThrow();
      assertThat(stored.summary()).isEqualTo("edited");
      assertThat(stored.tls().clientKeyPem())
          .as("the stored key is kept")
          .isEqualTo(client.keyPem());
      // the change log shows the route before and after the edit: the key in neither
      var log = kit.get("/admin/changes?after=0");
      assertThat(log.body()).doesNotContain("PRIVATE KEY");
      var update = log.json().get("items").get(1);
      assertThat(update.at("/before/tls/clientKeyPem").asText()).isEqualTo(StoredSecrets.STORED);
      assertThat(update.at("/after/tls/clientKeyPem").asText()).isEqualTo(StoredSecrets.STORED);
    }
  }
}
