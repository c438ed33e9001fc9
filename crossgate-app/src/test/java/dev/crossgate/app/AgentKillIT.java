package dev.crossgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.json.Json;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 in the middle of a task, with real processes: {@code crossgate standalone} (gateway +
 * task store) and {@code crossgate agent}, a Vert.x upstream in the test that posts each analysis
 * result later through the result URL (retrying while the gateway is down), and a callback
 * receiver. Each kill lands after the upstream took the task and before its result exists.
 */
class AgentKillIT {
  private static final String TOKEN = "cga_agent-kill-it-admin-token-0123456789";
  private static final String READY =
      "crossgate standalone ready admin=http://127\\.0\\.0\\.1:(\\d+)/admin .* gateway=http://127\\.0\\.0\\.1:(\\d+)";

  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http = HttpClient.newHttpClient();
  private final ConcurrentLinkedQueue<String> analyses = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<String> deliveries = new ConcurrentLinkedQueue<>();
  private HttpServer upstream;
  private HttpServer receiver;
  private CrossgateProcess standalone;
  private CrossgateProcess agent;
  private int adminPort;
  private int gatewayPort;

  @AfterEach
  void close() throws Exception {
    if (agent != null) {
      agent.close();
    }
    if (standalone != null) {
      standalone.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void killingTheAgentAndThenTheGatewayMidTaskStillDeliversEachResultOnceAndReleasesBothSides()
      throws Exception {
    startServers();
    gatewayPort = freePort();
    startStandalone();
    var key = declareInterfaceAndKey();
    startAgent(key);

    // the agent dies while the upstream works on the task
    var first = callAgent("/analyse?delayMs=3000", "one");
    await().atMost(Duration.ofSeconds(20)).until(() -> analyses.size() == 1);
    agent.close();
    agent = null;
    startAgent(key);
    await().atMost(Duration.ofSeconds(30)).until(() -> deliveries.size() == 1);

    // the gateway dies while the upstream works on the next one
    callAgent("/analyse?delayMs=1000", "two");
    await().atMost(Duration.ofSeconds(20)).until(() -> analyses.size() == 2);
    standalone.close();
    startStandalone();
    await().atMost(Duration.ofSeconds(60)).until(() -> deliveries.size() == 2);

    assertThat(first.statusCode()).isEqualTo(202);
    assertThat(deliveries).containsExactlyInAnyOrder("analysed:one", "analysed:two");
    await().atMost(Duration.ofSeconds(20)).until(() -> adminTasks().path("total").asLong() == 0);
    assertThat(deliveries).hasSize(2);
  }

  private void startServers() throws Exception {
    var client = vertx.createHttpClient();
    upstream =
        listening(
            vertx
                .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(
                    req ->
                        req.body()
                            .onSuccess(
                                body -> {
                                  analyses.add(body.toString());
                                  var resultUrl = req.getHeader("X-Crossgate-Result-Url");
                                  req.response().setStatusCode(202).end();
                                  vertx.setTimer(
                                      Long.parseLong(req.getParam("delayMs")),
                                      t -> post(client, resultUrl, "analysed:" + body));
                                }))
                .listen());
    receiver =
        listening(
            vertx
                .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(
                    req ->
                        req.body()
                            .onSuccess(
                                body -> {
                                  deliveries.add(body.toString());
                                  req.response().setStatusCode(204).end();
                                }))
                .listen());
  }

  private void post(io.vertx.core.http.HttpClient client, String url, String result) {
    client
        .request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url))
        .compose(req -> req.send(result))
        .compose(resp -> resp.body().map(b -> resp.statusCode()))
        .onComplete(
            ar -> {
              if (ar.failed() || (ar.result() != 204 && ar.result() != 409)) {
                vertx.setTimer(200, t -> post(client, url, result));
              }
            });
  }

  private void startStandalone() throws Exception {
    standalone =
        CrossgateProcess.start(
            "standalone",
            "--data-dir",
            dir.resolve("cp").toString(),
            "--admin-port",
            "0",
            "--gateway-port",
            String.valueOf(gatewayPort),
            "--admin-token",
            TOKEN);
    var ready = standalone.awaitLine(READY, Duration.ofSeconds(60));
    adminPort = Integer.parseInt(ready.group(1));
  }

  private void startAgent(String key) throws Exception {
    agent =
        CrossgateProcess.start(
            "agent",
            "--gateway",
            "http://127.0.0.1:" + gatewayPort,
            "--api-key",
            key,
            "--agent-port",
            "0",
            "--data-dir",
            dir.resolve("agent").toString(),
            "--callback-allow",
            "http://127.0.0.1:" + receiver.actualPort() + "/hooks/",
            "--egress-allow",
            "127.0.0.1/32",
            "--poll-max",
            "PT0.5S");
    agent.awaitLine(
        "crossgate agent ready agent=http://127\\.0\\.0\\.1:(\\d+)", Duration.ofSeconds(60));
    // on Linux the agent runs on epoll like the gateway (it ran on NIO and paid for it)
    assertThat(agent.output()).contains("transport=native");
  }

  private int agentPort() {
    var m =
        java.util.regex.Pattern.compile("crossgate agent ready agent=http://127\\.0\\.0\\.1:(\\d+)")
            .matcher(agent.output());
    String port = null;
    while (m.find()) {
      port = m.group(1);
    }
    return Integer.parseInt(port);
  }

  private String declareInterfaceAndKey() throws Exception {
    admin("POST", "/admin/tenants", "{\"id\":\"acme\",\"name\":\"Acme\"}");
    var key =
        Json.read(admin("POST", "/admin/tenants/acme/keys", "{}").body(), JsonNode.class)
            .path("key")
            .asText();
    admin(
        "POST",
        "/admin/routes",
        "{\"service\":\"data\",\"sourcePath\":\"/analyse\",\"targetUrl\":"
            + "\"http://127.0.0.1:"
            + upstream.actualPort()
            + "/analyse\",\"mode\":\"ASYNC\",\"asyncExecution\":\"CALLBACK\","
            + "\"auth\":\"KEY\",\"params\":[{\"name\":\"delayMs\",\"type\":\"integer\",\"required\":true}]}");
    // the node applies the change within milliseconds; the interface is then declared
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                get("http://127.0.0.1:" + gatewayPort + "/_interfaces", key).contains("/analyse"));
    return key;
  }

  private HttpResponse<String> callAgent(String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agentPort() + path))
            .header(
                "X-Callback-Url", "http://127.0.0.1:" + receiver.actualPort() + "/hooks/results")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode adminTasks() throws Exception {
    return Json.read(admin("GET", "/admin/tasks", null).body(), JsonNode.class);
  }

  private HttpResponse<String> admin(String method, String path, String json) throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
            .header("Authorization", "Bearer " + TOKEN)
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      request.header("Content-Type", "application/json");
    }
    var response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode())
        .as(method + " " + path + ": " + response.body())
        .isLessThan(300);
    return response;
  }

  private String get(String url, String key) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(url)).header("X-Api-Key", key).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static int freePort() throws Exception {
    try (var socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static <T> T listening(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
