package dev.crossgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lines a real role writes with {@code --log-format json}, and a CLI command's terminal. */
class LogFormatIT {
  private static final String TOKEN = "cga_log_format_admin_token_0123456789ab";
  private static final String READY =
      "crossgate standalone ready admin=http://127\\.0\\.0\\.1:(\\d+)/admin .* gateway=http://127\\.0\\.0\\.1:(\\d+)";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void everyLineIsOneJsonObjectAndTheAccessLineIsTheRequestsFields(@TempDir Path dir)
      throws Exception {
    List<JsonNode> lines;
    try (var standalone =
        CrossgateProcess.standalone(dir, "--log-format", "json", "--admin-token", TOKEN)) {
      var ready = standalone.awaitLine(READY, Duration.ofSeconds(60));
      var admin = "http://127.0.0.1:" + ready.group(1);
      var gateway = "http://127.0.0.1:" + ready.group(2);
      var created =
          http.send(
              HttpRequest.newBuilder(URI.create(admin + "/admin/routes"))
                  .header("Authorization", "Bearer " + TOKEN)
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"service\":\"shop\",\"sourcePath\":\"/shop\",\"targetUrl\":\""
                              + admin
                              + "/healthz\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(created.statusCode()).isEqualTo(201);
      Awaitility.await()
          .until(
              () ->
                  http.send(
                              HttpRequest.newBuilder(URI.create(gateway + "/shop"))
                                  .header("X-Request-Id", "log-format-it-1")
                                  .build(),
                              HttpResponse.BodyHandlers.discarding())
                          .statusCode()
                      == 200);
      standalone.awaitLine("\"requestId\":\"log-format-it-1\"", Duration.ofSeconds(10));

      assertThat(standalone.stop()).isIn(0, 143);
      lines = parse(standalone.output());
    }

    assertThat(lines).isNotEmpty();
    for (var line : lines) {
      assertThat(line.path("timestamp").asText()).as(line.toString()).matches("\\d{4}-.*Z");
      assertThat(line.path("level").asText()).as(line.toString()).isNotEmpty();
      assertThat(line.path("logger").asText()).as(line.toString()).isNotEmpty();
    }
    assertThat(lines)
        .anySatisfy(
            line ->
                assertThat(line.path("message").asText()).startsWith("crossgate standalone ready"));
    var access =
        lines.stream()
            .filter(l -> l.path("requestId").asText().equals("log-format-it-1"))
            .filter(l -> l.path("logger").asText().equals("crossgate.access"))
            .toList();
    assertThat(access).hasSize(1);
    var line = access.get(0);
    assertThat(line.path("method").asText()).isEqualTo("GET");
    assertThat(line.path("path").asText()).isEqualTo("/shop");
    assertThat(line.path("status").asInt()).isEqualTo(200);
    assertThat(line.path("route").asText()).startsWith("rt_");
    assertThat(line.path("durationMs").isNumber()).isTrue();
    assertThat(line.has("message")).as("no text copy of the fields").isFalse();
  }

  @Test
  void aCommandPrintsItsOwnLinesAndNoLogLines(@TempDir Path dir) throws Exception {
    var file = Files.writeString(dir.resolve("payload.txt"), "hello");
    try (var send =
        CrossgateProcess.start(
            "send",
            file.toString(),
            "http://127.0.0.1:" + closedPort(),
            "--api-key",
            "cgk_nobody",
            "--data-dir",
            dir.resolve("state").toString())) {

      int exit = send.waitFor(Duration.ofSeconds(60));

      assertThat(exit).isNotZero();
      assertThat(send.output().lines())
          .isNotEmpty()
          .allSatisfy(
              l ->
                  assertThat(l)
                      .doesNotContainPattern("^\\d{4}-\\d\\d-\\d\\dT")
                      .doesNotContainPattern("(INFO|WARN|ERROR|DEBUG) +\\[")
                      .doesNotStartWith("{\"timestamp\""));
      assertThat(send.output()).startsWith("crossgate send:");
    }
  }

  /** Every line of the output, each of which must be a JSON object. */
  private static List<JsonNode> parse(String output) throws Exception {
    var parsed = new ArrayList<JsonNode>();
    for (var text : output.split("\n")) {
      if (text.isBlank()) {
        continue;
      }
      var node = JSON.readTree(text);
      assertThat(node.isObject()).as("a JSON object per line: " + text).isTrue();
      parsed.add(node);
    }
    return parsed;
  }

  private static int closedPort() throws Exception {
    try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
