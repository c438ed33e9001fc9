package dev.crossgate.transfer;

import static dev.crossgate.transfer.Harness.ACME_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A browser tus client on another origin, against the real gateway and transfer endpoints. */
class TransferCorsTest {
  private static final String APP = "https://upload.example.com";

  @TempDir Path dir;
  private Harness gateway;
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    gateway.stop();
  }

  @Test
  void aTusPreflightFromAnAllowedOriginIsAnsweredAndTheUploadIsReadableByThePage()
      throws Exception {
    gateway = Harness.h2(dir, TransferEndpoint.corsFor(List.of(APP)));

    var preflight =
        send(
            HttpRequest.newBuilder(gateway.base().resolve("/_tus/"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", APP)
                .header("Access-Control-Request-Method", "POST")
                .header(
                    "Access-Control-Request-Headers", "tus-resumable, upload-length, x-api-key"));
    var created =
        send(
            HttpRequest.newBuilder(gateway.base().resolve("/_tus/"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .header("Origin", APP)
                .header("Tus-Resumable", "1.0.0")
                .header("Upload-Length", "5")
                .header("X-Api-Key", ACME_KEY));

    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods")).hasValue("POST");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers"))
        .hasValue("tus-resumable, upload-length, x-api-key");
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(created.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);
    assertThat(created.headers().firstValue("Access-Control-Expose-Headers").orElseThrow())
        .contains("Location", "Upload-Offset", "Tus-Resumable");
  }

  @Test
  void aPreflightFromAnotherOriginIsRefusedWithNoAllowHeaders() throws Exception {
    gateway = Harness.h2(dir, TransferEndpoint.corsFor(List.of(APP)));

    var refused =
        send(
            HttpRequest.newBuilder(gateway.base().resolve("/_transfers"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "POST"));

    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/problem+json");
    assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  void withoutTheFlagTheEndpointsAnswerNoCorsHeaders() throws Exception {
    gateway = Harness.h2(dir);

    var preflight =
        send(
            HttpRequest.newBuilder(gateway.base().resolve("/_tus/"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", APP)
                .header("Access-Control-Request-Method", "POST"));

    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    assertThat(preflight.headers().firstValue("Tus-Version")).as("tus's own OPTIONS").isPresent();
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
