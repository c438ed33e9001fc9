package dev.crossgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.admin.cluster.ClusterOptions;
import dev.crossgate.json.Json;
import dev.crossgate.store.TestDatabases;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A running control plane on an ephemeral loopback port over a private test database, and a small
 * HTTP client for it. One per test class or test.
 */
public final class AdminKit implements AutoCloseable {
  public static final String ADMIN_TOKEN = "cga_test-admin-token-0123456789abcdef";

  private final Vertx vertx = Vertx.vertx();
  private final TestDatabases.Handle db;
  private final ControlPlane controlPlane;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Path dataDir;

  private AdminKit(String dbKind, ControlPlaneOptions options) throws Exception {
    this.db = TestDatabases.open(dbKind);
    this.dataDir = options.dataDir();
    // the test database is migrated already; the control plane opens its own pool on the same URL
    var user = dbKind.equals("postgres") ? "postgres" : "sa";
    var password = dbKind.equals("postgres") ? null : "";
    this.controlPlane =
        ControlPlane.start(vertx, options.withDatabase(db.url(), user, password), () -> "")
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
  }

  public static AdminKit start(String dbKind) throws Exception {
    return start(dbKind, (String) null);
  }

  /** A control plane whose extension registry checks addresses against {@code egress}. */
  public static AdminKit start(String dbKind, dev.crossgate.egress.EgressPolicy egress)
      throws Exception {
    var dir = Files.createTempDirectory("crossgate-admin-test");
    return new AdminKit(
        dbKind,
        ControlPlaneOptions.embedded(dir, "127.0.0.1", 0)
            .withAdminToken(ADMIN_TOKEN)
            .withEgress(egress));
  }

  /** A control plane that serves the cluster stream with {@code cluster}'s settings. */
  public static AdminKit start(String dbKind, ClusterOptions cluster) throws Exception {
    var dir = Files.createTempDirectory("crossgate-admin-test");
    return new AdminKit(
        dbKind,
        ControlPlaneOptions.embedded(dir, "127.0.0.1", 0)
            .withAdminToken(ADMIN_TOKEN)
            .withCluster(cluster));
  }

  /**
   * @param redisUri null for none
   */
  public static AdminKit start(String dbKind, String redisUri) throws Exception {
    var dir = Files.createTempDirectory("crossgate-admin-test");
    var options = ControlPlaneOptions.embedded(dir, "127.0.0.1", 0).withAdminToken(ADMIN_TOKEN);
    if (redisUri != null) {
      options =
          options.withRedis(
              redisUri,
              "cgtest:" + java.util.UUID.randomUUID() + ":",
              Duration.ofHours(1),
              Duration.ofMinutes(5));
    }
    return new AdminKit(dbKind, options);
  }

  /** The JDBC URL of the test database, for a test that holds locks in it. */
  public String databaseUrl() {
    return db.url();
  }

  public ControlPlane controlPlane() {
    return controlPlane;
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + controlPlane.port() + path);
  }

  /** Sends {@code body} (null for none) with {@code headers} given as name, value, name, value… */
  public Reply send(
      String method, String path, String token, String contentType, String body, String... headers)
      throws Exception {
    var builder =
        HttpRequest.newBuilder(uri(path))
            .timeout(Duration.ofSeconds(20))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    if (contentType != null) {
      builder.header("Content-Type", contentType);
    }
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    return Reply.of(http.send(builder.build(), HttpResponse.BodyHandlers.ofString()));
  }

  public Reply send(HttpRequest.Builder request) throws Exception {
    return Reply.of(
        http.send(
            request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()));
  }

  /**
   * A request as a tenant, with its API key; {@code body} null for none, {@code headers} as name,
   * value pairs.
   */
  public Reply asTenant(
      String method, String path, String key, String contentType, byte[] body, String... headers)
      throws Exception {
    var request =
        HttpRequest.newBuilder(uri(path))
            .header("X-Api-Key", key)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (body != null) {
      request.header("Content-Type", contentType);
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return send(request);
  }

  /**
   * Creates {@code tenant} with an API key and returns the key once the control plane accepts it
   * (its follower applied the change).
   */
  public String tenantWithKey(String tenant) throws Exception {
    var created = post("/admin/tenants", "{\"id\":\"" + tenant + "\",\"name\":\"" + tenant + "\"}");
    if (created.status() != 201) {
      throw new AssertionError("tenant " + tenant + " not created: " + created.body());
    }
    var key = post("/admin/tenants/" + tenant + "/keys", "{}").json().path("key").asText();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(
            () ->
                send(HttpRequest.newBuilder(uri("/admin/tenants/" + tenant + "/extensions"))
                            .header("X-Api-Key", key))
                        .status()
                    == 200);
    return key;
  }

  public Reply get(String path) throws Exception {
    return send("GET", path, ADMIN_TOKEN, null, null);
  }

  public Reply post(String path, String json) throws Exception {
    return send("POST", path, ADMIN_TOKEN, "application/json", json);
  }

  public Reply put(String path, String json) throws Exception {
    return send("PUT", path, ADMIN_TOKEN, "application/json", json);
  }

  public Reply delete(String path) throws Exception {
    return send("DELETE", path, ADMIN_TOKEN, null, null);
  }

  // join, not get: AutoCloseable.close must not throw InterruptedException (javac -Xlint:try)
  @Override
  public void close() throws IOException {
    controlPlane
        .close()
        .toCompletionStage()
        .toCompletableFuture()
        .orTimeout(30, TimeUnit.SECONDS)
        .join();
    vertx.close().toCompletionStage().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
    db.close();
    try (var files = Files.walk(dataDir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** A response with its JSON body parsed (null when the body is not JSON). */
  public record Reply(int status, java.net.http.HttpHeaders headers, String body, JsonNode json) {
    static Reply of(HttpResponse<String> response) {
      JsonNode json = null;
      try {
        json = response.body().isEmpty() ? null : Json.mapper().readTree(response.body());
      } catch (Exception ignored) {
        // not JSON
      }
      return new Reply(response.statusCode(), response.headers(), response.body(), json);
    }

    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    /** The problem's type name (last segment of its type URI). */
    public String problemType() {
      var type = json.path("type").asText();
      return type.substring(type.lastIndexOf('/') + 1);
    }

    /** The fields named in the problem's errors[]. */
    public java.util.List<String> errorFields() {
      var out = new java.util.ArrayList<String>();
      json.path("errors").forEach(e -> out.add(e.path("field").asText()));
      return out;
    }
  }
}
