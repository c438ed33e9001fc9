package dev.crossgate.agent.declaration;

import static dev.crossgate.agent.kit.Futures.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crossgate.agent.Agent;
import dev.crossgate.agent.kit.TestAgents;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A route the gateway serves for one host only stays that narrow on the agent: the real agent in
 * front of a loopback gateway that declares a catch-all for {@code api.example.com} and {@code
 * /public} for any host, and records what reaches it.
 */
class HostRestrictedDeclarationTest {
  private static final String DECLARATIONS =
      "{\"markers\":{\"sync\":\"/sync\",\"async\":\"/async\"},\"interfaces\":["
          + "{\"id\":\"api\",\"sourceHost\":\"api.example.com\",\"sourcePath\":\"/\","
          + "\"requestPath\":\"/sync\",\"mode\":\"SYNC\",\"params\":[]},"
          + "{\"id\":\"wild\",\"sourceHost\":\"*.example.org\",\"sourcePath\":\"/\","
          + "\"requestPath\":\"/sync\",\"mode\":\"SYNC\",\"params\":[]},"
          + "{\"id\":\"report\",\"sourceHost\":\"api.example.com\",\"sourcePath\":\"/report\","
          + "\"requestPath\":\"/async/report\",\"mode\":\"ASYNC\",\"params\":[]},"
          + "{\"id\":\"public\",\"sourcePath\":\"/public\",\"requestPath\":\"/sync/public\","
          + "\"mode\":\"SYNC\",\"params\":[]}]}";

  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();
  private final List<String> reached = new CopyOnWriteArrayList<>();
  private HttpServer gateway;
  private HttpClient client;
  private Agent agent;

  @BeforeEach
  void start() {
    gateway =
        join(
            vertx
                .createHttpServer()
                .requestHandler(
                    request -> {
                      var response =
                          request.response().putHeader("Content-Type", "application/json");
                      if (request.path().equals("/_interfaces")) {
                        response.end(DECLARATIONS);
                      } else if (request.path().startsWith("/_tasks/")) {
                        response.setStatusCode(404).end();
                      } else {
                        reached.add(request.authority().host() + " " + request.path());
                        response.end("{\"ok\":true}");
                      }
                    })
                .listen(0, "127.0.0.1"));
    agent = TestAgents.start(vertx, gateway.actualPort(), dir);
    client = vertx.createHttpClient();
  }

  @AfterEach
  void stop() {
    join(agent.close());
    join(vertx.close());
  }

  @Test
  void aRequestForAnotherHostIsNotRoutedByAHostRestrictedDeclaration() {
    var other = get("evil.example.net", "/items");
    var noHostMatch = get("example.com", "/items");

    assertThat(other).startsWith("404 ").contains("not-found", "for host evil.example.net");
    assertThat(noHostMatch).startsWith("404 ");
    assertThat(reached).isEmpty();
  }

  @Test
  void theDeclaredHostIsRoutedAndPresentedToTheGatewayUnderItsName() {
    var exact = get("API.example.com", "/items");
    var wildcard = get("eu.example.org", "/orders/7");
    var anyHost = get("evil.example.net", "/public/list");

    assertThat(exact).startsWith("200 ");
    assertThat(wildcard).startsWith("200 ");
    assertThat(anyHost).startsWith("200 ");
    assertThat(reached)
        .containsExactly(
            "api.example.com /sync/items",
            "eu.example.org /sync/orders/7",
            "127.0.0.1 /sync/public/list");
  }

  @Test
  void anAsyncTaskForTheDeclaredHostIsSubmittedUnderItsNameAndRefusedForAnother() {
    var refused = send(HttpMethod.POST, "evil.example.net", "/report");

    var accepted = send(HttpMethod.POST, "api.example.com", "/report");

    assertThat(refused).startsWith("404 ");
    assertThat(accepted).startsWith("202 ");
    await().atMost(Duration.ofSeconds(10)).until(() -> !reached.isEmpty());
    assertThat(reached.get(0)).isEqualTo("api.example.com /async/report");
  }

  /** The status and body of a GET to the agent presenting {@code host}. */
  private String get(String host, String path) {
    return send(HttpMethod.GET, host, path);
  }

  private String send(HttpMethod method, String host, String path) {
    return join(
        client
            .request(
                new RequestOptions()
                    .setMethod(method)
                    .setHost("127.0.0.1")
                    .setPort(agent.port())
                    .setURI(path))
            .compose(
                request -> {
                  request.authority(HostAndPort.create(host, agent.port()));
                  return request.send();
                })
            .compose(
                response ->
                    response.body().map(body -> response.statusCode() + " " + body.toString())));
  }
}
