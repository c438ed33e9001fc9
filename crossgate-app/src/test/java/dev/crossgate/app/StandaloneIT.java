package dev.crossgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.kit.WatModules;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StandaloneIT {
  private static final String READY =
      "crossgate standalone ready admin=http://127\\.0\\.0\\.1:(\\d+)/admin .* gateway=http://127\\.0\\.0\\.1:(\\d+)";
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void firstStartGeneratesATokenOnceAndWritesSurviveARestart(@TempDir Path dataDir)
      throws Exception {
    String routeId;
    String token;
    try (var first = CrossgateProcess.standalone(dataDir)) {
      var ready = first.awaitLine(READY, Duration.ofSeconds(60));
      token = Files.readString(dataDir.resolve("admin-token")).trim();
      assertThat(first.printed("generated admin token")).isTrue();
      assertThat(first.output()).contains(token);

      var created =
          send(
              ready.group(1),
              "POST",
              "/admin/routes",
              token,
              "{\"service\":\"shop\",\"sourcePath\":\"/shop\",\"targetUrl\":\"http://127.0.0.1:1/home\"}");
      assertThat(created.statusCode()).isEqualTo(201);
      routeId = created.body().replaceAll(".*\"id\":\"(rt_[^\"]+)\".*", "$1");

      assertThat(first.stop()).as("exit on SIGTERM").isIn(0, 143);
      assertThat(first.output()).contains("control plane stopped", "crossgate standalone stopped");
    }

    try (var second = CrossgateProcess.standalone(dataDir)) {
      var ready = second.awaitLine(READY, Duration.ofSeconds(60));

      var read = send(ready.group(1), "GET", "/admin/routes/" + routeId, token, null);

      assertThat(read.statusCode()).isEqualTo(200);
      assertThat(read.body()).contains("\"sourcePath\":\"/shop\"");
      assertThat(second.printed("generated admin token")).isFalse();
      assertThat(second.stop()).isIn(0, 143);
    }
  }

  @Test
  void aPortInUseIsNamedWithItsFlagAndTheTokenOfTheFailedFirstStartWasShown(@TempDir Path dataDir)
      throws Exception {
    try (var taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        var process =
            CrossgateProcess.start(
                "standalone",
                "--data-dir",
                dataDir.toString(),
                "--admin-port",
                "0",
                "--gateway-port",
                String.valueOf(taken.getLocalPort()))) {
      int exit = process.waitFor(Duration.ofSeconds(60));

      assertThat(exit).isEqualTo(1);
      assertThat(process.output())
          .contains(
              "port "
                  + taken.getLocalPort()
                  + " (--gateway-port) is in use by another process; stop it or choose another"
                  + " port with --gateway-port")
          .doesNotContain("Exception")
          .contains(Files.readString(dataDir.resolve("admin-token")).trim());
    }
  }

  @Test
  void anExplicitAdminTokenIsAcceptedAndNothingIsGenerated(@TempDir Path dataDir) throws Exception {
    try (var node =
        CrossgateProcess.standalone(dataDir, "--admin-token", "cga_my-own-token-for-this-test")) {
      var ready = node.awaitLine(READY, Duration.ofSeconds(60));

      var list =
          send(ready.group(1), "GET", "/admin/routes", "cga_my-own-token-for-this-test", null);
      var gateway =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ready.group(2) + "/nothing"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(list.statusCode()).isEqualTo(200);
      assertThat(Files.exists(dataDir.resolve("admin-token"))).isFalse();
      assertThat(gateway.statusCode()).isEqualTo(404);
      assertThat(gateway.headers().firstValue("content-type")).contains("application/problem+json");
      node.stop();
    }
  }

  @Test
  void sendUploadsAFileInChunksThroughTheStandaloneGateway(@TempDir Path dataDir) throws Exception {
    try (var node =
        CrossgateProcess.standalone(dataDir, "--admin-token", "cga_send-test-token-0123456789")) {
      var ready = node.awaitLine(READY, Duration.ofSeconds(60));
      send(
          ready.group(1),
          "POST",
          "/admin/tenants",
          "cga_send-test-token-0123456789",
          "{\"id\":\"acme\",\"name\":\"ACME\"}");
      var key =
          send(
                  ready.group(1),
                  "POST",
                  "/admin/tenants/acme/keys",
                  "cga_send-test-token-0123456789",
                  "{}")
              .body()
              .replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");
      var file = dataDir.resolve("payload.bin");
      var bytes = new byte[3 * 1024 * 1024 + 17];
      new java.util.Random(7).nextBytes(bytes);
      Files.write(file, bytes);

      try (var sender =
          CrossgateProcess.start(
              "send",
              file.toString(),
              "http://127.0.0.1:" + ready.group(2),
              "--api-key",
              key,
              "--chunk-size",
              "1048576",
              "--data-dir",
              dataDir.resolve("client").toString())) {
        assertThat(sender.waitFor(Duration.ofSeconds(60))).as(sender.output()).isZero();
        assertThat(sender.output())
            .contains("sent payload.bin (" + bytes.length + " bytes)", "4 chunks sent")
            .as("what the user reads, no log lines")
            .doesNotContainPattern("\\d{4}-\\d{2}-\\d{2}T\\S+ +(INFO|WARN|DEBUG) ");
      }
      var operators =
          send(ready.group(1), "GET", "/admin/transfers", "cga_send-test-token-0123456789", null);
      assertThat(operators.body())
          .contains("\"owner\":\"acme\"", "\"receivedBytes\":" + bytes.length);
      node.stop();
    }
  }

  @Test
  void anInterruptedSendPrintsTheCommandThatResumesItWithoutTheKey(@TempDir Path dataDir)
      throws Exception {
    var token = "cga_send-test-token-0123456789";
    try (var node = CrossgateProcess.standalone(dataDir, "--admin-token", token)) {
      var ready = node.awaitLine(READY, Duration.ofSeconds(60));
      send(ready.group(1), "POST", "/admin/tenants", token, "{\"id\":\"acme\",\"name\":\"Acme\"}");
      var key =
          send(ready.group(1), "POST", "/admin/tenants/acme/keys", token, "{}")
              .body()
              .replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");
      var file = dataDir.resolve("big payload.bin");
      var bytes = new byte[4 * 1024 * 1024];
      new java.util.Random(11).nextBytes(bytes);
      Files.write(file, bytes);
      var gateway = "http://127.0.0.1:" + ready.group(2);
      var client = dataDir.resolve("client").toString();
      // 2,048 small chunks one at a time: long enough to be interrupted half-way
      String[] args = {
        "send",
        file.toString(),
        gateway,
        "--api-key",
        key,
        "--chunk-size",
        "2KiB",
        "--parallel",
        "1",
        "--data-dir",
        client
      };

      int interruptedExit;
      String interruptedOutput;
      try (var sender = CrossgateProcess.start(args)) {
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    send(ready.group(1), "GET", "/admin/transfers", token, null)
                        .body()
                        .matches("(?s).*\"receivedBytes\":[1-9].*"));
        new ProcessBuilder("kill", "-INT", Long.toString(sender.pid())).start().waitFor();
        interruptedExit = sender.waitFor(Duration.ofSeconds(30));
        interruptedOutput = sender.output();
      }
      int resumedExit;
      String resumedOutput;
      try (var resumed = CrossgateProcess.start(args)) {
        resumedExit = resumed.waitFor(Duration.ofSeconds(120));
        resumedOutput = resumed.output();
      }

      assertThat(interruptedExit).as(interruptedOutput).isEqualTo(1);
      assertThat(interruptedOutput)
          .contains(
              "interrupted; what was sent is kept. To resume, run: crossgate send '"
                  + file
                  + "' "
                  + gateway
                  + " --api-key \"$CROSSGATE_API_KEY\" --chunk-size 2KiB")
          .doesNotContain(key);
      assertThat(resumedExit).as(resumedOutput).isZero();
      assertThat(resumedOutput).contains("sent big payload.bin (" + bytes.length + " bytes)");
      assertThat(resumedOutput).containsPattern("[1-9]\\d* already held");
      node.stop();
    }
  }

  @Test
  void aModuleUploadedWithTheTenantsKeyRunsInTheStandaloneGatewayWithoutAnEndpointAndShowsLoaded(
      @TempDir Path dataDir) throws Exception {
    var token = "cga_module-test-token-0123456789";
    try (var node = standalone(dataDir, token)) {
      var ready = node.awaitLine(READY, Duration.ofSeconds(60));
      var admin = ready.group(1);
      send(admin, "POST", "/admin/tenants", token, "{\"id\":\"acme\",\"name\":\"ACME\"}");
      var key =
          send(admin, "POST", "/admin/tenants/acme/keys", token, "{}")
              .body()
              .replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");
      send(
          admin,
          "PUT",
          "/admin/tenants/acme/extensions/hello",
          token,
          "{\"point\":\"request\",\"versions\":[{\"version\":\"v1\",\"weight\":1}]}");
      var module =
          WatModules.answering("{\"response\":{\"status\":200,\"body\":{\"ran\":\"here\"}}}");
      var upload =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:"
                              + admin
                              + "/admin/tenants/acme/extensions/hello/versions/v1/module"))
                  .header("X-Api-Key", key)
                  .header(
                      "Content-Digest",
                      "sha-256=:"
                          + java.util.Base64.getEncoder()
                              .encodeToString(
                                  java.security.MessageDigest.getInstance("SHA-256").digest(module))
                          + ":")
                  .PUT(HttpRequest.BodyPublishers.ofByteArray(module))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      var route =
          send(
              admin,
              "POST",
              "/admin/routes",
              token,
              "{\"service\":\"hello\",\"sourcePath\":\"/hello\",\"targetUrl\":\"http://127.0.0.1:1\","
                  + "\"auth\":\"KEY\",\"flow\":[\"ext:hello\"]}");
      assertThat(upload.statusCode()).as(upload.body()).isEqualTo(200);
      assertThat(route.statusCode()).as(route.body()).isEqualTo(201);

      // the standalone gateway follows the same store: the route arrives within moments
      var reply =
          org.awaitility.Awaitility.await()
              .atMost(Duration.ofSeconds(20))
              .until(
                  () ->
                      http.send(
                          HttpRequest.newBuilder(
                                  URI.create("http://127.0.0.1:" + ready.group(2) + "/hello"))
                              .header("X-Api-Key", key)
                              .build(),
                          HttpResponse.BodyHandlers.ofString()),
                  r -> r.statusCode() != 404);

      var version =
          send(admin, "GET", "/admin/tenants/acme/extensions/hello/versions/v1", token, null);

      assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
      assertThat(reply.body()).isEqualTo("{\"ran\":\"here\"}");
      // the in-process node's own load state, read as it is now
      assertThat(version.body())
          .contains("\"nodes\":[{\"nodeId\":\"standalone\",\"state\":\"LOADED\",\"since\":");
      node.stop();
    }
  }

  @Test
  void everyRoleHasHelp() throws Exception {
    for (var role : new String[] {"standalone", "admin", "gateway", "send"}) {
      try (var help = CrossgateProcess.start(role, "--help")) {
        assertThat(help.waitFor(Duration.ofSeconds(30))).isZero();
        assertThat(help.output()).as(role).contains("Usage: crossgate " + role);
      }
    }
  }

  /** A standalone node on free ports with the admin token {@code token}. */
  private static CrossgateProcess standalone(Path dataDir, String token) throws Exception {
    return CrossgateProcess.standalone(dataDir, "--admin-token", token);
  }

  private HttpResponse<String> send(
      String port, String method, String path, String token, String json) throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + token)
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      request.header("Content-Type", "application/json");
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
