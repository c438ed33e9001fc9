package dev.crossgate.admin.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.admin.AdminKit;
import org.junit.jupiter.api.Test;

class WhoAmIEndpointTest {

  @Test
  void aTokenLearnsItsNameAndRole() throws Exception {
    try (var kit = AdminKit.start("h2")) {
      var viewer =
          kit.post("/admin/tokens", "{\"name\":\"auditor\",\"role\":\"VIEWER\"}")
              .json()
              .path("token")
              .asText();

      var admin = kit.get("/admin/whoami");
      var asViewer = kit.send("GET", "/admin/whoami", viewer, null, null);
      var anonymous = kit.send("GET", "/admin/whoami", null, null, null);

      assertThat(admin.json().path("name").asText()).isEqualTo("bootstrap");
      assertThat(admin.json().path("role").asText()).isEqualTo("ADMIN");
      assertThat(asViewer.status()).isEqualTo(200);
      assertThat(asViewer.json().path("name").asText()).isEqualTo("auditor");
      assertThat(asViewer.json().path("role").asText()).isEqualTo("VIEWER");
      assertThat(anonymous.status()).isEqualTo(401);
    }
  }
}
