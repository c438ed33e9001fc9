package dev.crossgate.agent.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.agent.Agent;
import dev.crossgate.agent.AgentOptions;
import dev.crossgate.agent.kit.FakeGateway;
import dev.crossgate.egress.EgressPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent posts results to the caller's {@code X-Callback-Url}, from inside the caller's network.
 * The operator's prefix list says which URLs look acceptable; the egress policy then decides which
 * addresses they may reach, when the task is accepted and again on every delivery. A fake gateway
 * serves the declarations and one async task; a loopback service stands in for an internal host and
 * counts what reaches it.
 */
class CallbackEgressTest {
  private static final String SUBMIT = "POST /async/report";

  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicInteger internalRequests = new AtomicInteger();
  private FakeGateway gateway;
  private HttpServer internal;
  private Agent agent;

  @BeforeEach
  void start() {
    gateway = FakeGateway.start(vertx);
    internal =
        await(
            vertx
                .createHttpServer()
                .requestHandler(
                    request -> {
                      internalRequests.incrementAndGet();
                      request.body().onSuccess(b -> request.response().setStatusCode(200).end());
                    })
                .listen(0, "127.0.0.1"));
  }

  private void startAgent(List<String> callbackAllow, EgressPolicy egress) {
    var options =
        AgentOptions.defaults(gateway.url(), "key", dir, "whsec_c2VjcmV0")
            .withListen("127.0.0.1", 0)
            .withCallbackAllow(callbackAllow)
            .withPolling(Duration.ofMillis(20), Duration.ofMillis(100), 4)
            .withEgress(egress);
    agent = await(Agent.start(vertx, options));
  }

  @AfterEach
  void stop() {
    if (agent != null) {
      await(agent.close());
    }
    await(vertx.close());
  }

  @Test
  void aCallbackToAPrivateAddressIsRefusedBeforeTheTaskIsAcceptedEvenWhenItsPrefixIsListed()
      throws Exception {
    startAgent(List.of("http://10.0.0.5:8080/hooks/"), EgressPolicy.DEFAULT);

    var reply = post("/report", "http://10.0.0.5:8080/hooks/done");

    assertThat(reply.statusCode()).isEqualTo(403);
    assertThat(reply.body()).contains("egress-refused").contains("X-Callback-Url");
    assertThat(gateway.count(SUBMIT)).as("no task reached the gateway").isZero();
  }

  @Test
  void aCallbackToALoopbackServiceByNameIsRefusedAndTheServiceSeesNothing() throws Exception {
    var hooks = "http://localhost:" + internal.actualPort() + "/hooks/";
    startAgent(List.of(hooks), EgressPolicy.DEFAULT);

    var reply = post("/report", hooks + "done");

    assertThat(reply.statusCode()).isEqualTo(403);
    assertThat(reply.body()).contains("egress-refused");
    assertThat(gateway.count(SUBMIT)).isZero();
    assertThat(internalRequests.get()).isZero();
  }

  @Test
  void egressAllowLetsTheCallbackReachTheAllowedAddress() throws Exception {
    var hooks = "http://127.0.0.1:" + internal.actualPort() + "/hooks/";
    startAgent(List.of(hooks), EgressPolicy.allowing("127.0.0.1/32"));

    var reply = post("/report", hooks + "done");

    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(202);
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> internalRequests.get() == 1);
  }

  private HttpResponse<String> post(String path, String callbackUrl) throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + path))
            .header("X-Callback-Url", callbackUrl)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
