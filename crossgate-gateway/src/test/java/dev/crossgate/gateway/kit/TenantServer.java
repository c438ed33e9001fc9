package dev.crossgate.gateway.kit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.extension.ArtifactCheck;
import dev.crossgate.extension.Extension;
import dev.crossgate.json.Json;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A tenant's extension server on 127.0.0.1: {@code POST /ext/{name}} receives the contract JSON and
 * answers as the test says; {@code GET /artifacts/{name}} serves WebAssembly modules. Every call is
 * recorded, so a test can tell what ran at the tenant and what ran on the platform.
 */
public final class TenantServer implements AutoCloseable {
  /** One call as it arrived: the extension, the version header, the contract JSON. */
  public record Call(String extension, String versionHeader, JsonNode input) {}

  /** How the tenant answers a call; a null answer means it never answers (a hung tenant). */
  public record Answer(int status, String version, String body) {
    public static Answer ok(String body) {
      return new Answer(200, null, body);
    }

    public static Answer ok(String version, String body) {
      return new Answer(200, version, body);
    }
  }

  private final HttpServer server;
  private final Map<String, Function<Call, Answer>> behaviours = new ConcurrentHashMap<>();
  private final Map<String, byte[]> artifacts = new ConcurrentHashMap<>();
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final Map<String, Integer> fetches = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicInteger connections =
      new java.util.concurrent.atomic.AtomicInteger();

  private TenantServer(HttpServer server) {
    this.server = server;
  }

  public static TenantServer start(Vertx vertx) {
    var server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0));
    var tenant = new TenantServer(server);
    server.connectionHandler(c -> tenant.connections.incrementAndGet());
    server.requestHandler(
        request -> {
          var path = request.path();
          if (path.startsWith("/artifacts/")) {
            var name = path.substring("/artifacts/".length());
            tenant.fetches.merge(name, 1, Integer::sum);
            var bytes = tenant.artifacts.get(name);
            if (bytes == null) {
              request.response().setStatusCode(404).end();
            } else {
              request.response().end(Buffer.buffer(bytes));
            }
            return;
          }
          var name = path.substring("/ext/".length());
          request
              .body()
              .onSuccess(
                  body -> {
                    JsonNode input;
                    try {
                      input = Json.mapper().readTree(body.getBytes());
                    } catch (java.io.IOException e) {
                      request.response().setStatusCode(400).end();
                      return;
                    }
                    var call =
                        new Call(name, request.getHeader("X-Crossgate-Extension-Version"), input);
                    tenant.calls.add(call);
                    var answer =
                        tenant
                            .behaviours
                            .getOrDefault(name, c -> Answer.ok("{\"continue\":true}"))
                            .apply(call);
                    if (answer == null) {
                      return;
                    }
                    var response =
                        request
                            .response()
                            .setStatusCode(answer.status())
                            .putHeader("Content-Type", "application/json");
                    if (answer.version() != null) {
                      response.putHeader("X-Crossgate-Extension-Version", answer.version());
                    }
                    response.end(answer.body());
                  });
        });
    GatewayKit.await(server.listen());
    return tenant;
  }

  public String endpoint(String extension) {
    return "http://127.0.0.1:" + server.actualPort() + "/ext/" + extension;
  }

  public TenantServer answer(String extension, Function<Call, Answer> behaviour) {
    behaviours.put(extension, behaviour);
    return this;
  }

  /** Serves {@code module} and returns the artifact that registers it. */
  public Extension.Artifact artifact(String name, byte[] module) {
    artifacts.put(name, module);
    return new Extension.Artifact(
        "http://127.0.0.1:" + server.actualPort() + "/artifacts/" + name,
        ArtifactCheck.sha256(module));
  }

  public List<Call> calls(String extension) {
    return calls.stream().filter(c -> c.extension().equals(extension)).toList();
  }

  /** Connections the platform opened to this server so far. */
  public int connections() {
    return connections.get();
  }

  public int fetches(String artifact) {
    return fetches.getOrDefault(artifact, 0);
  }

  @Override
  public void close() {
    GatewayKit.await(server.close());
  }
}
