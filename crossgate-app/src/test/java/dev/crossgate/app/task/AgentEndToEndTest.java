package dev.crossgate.app.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crossgate.agent.callback.WebhookSignature;
import dev.crossgate.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AgentEndToEndTest {
  @TempDir Path dataDir;
  private EndToEnd e2e;

  @AfterEach
  void close() {
    if (e2e != null) {
      e2e.close();
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> json(String body) {
    return Json.read(body, Map.class);
  }

  @Test
  void aQueryIsAnsweredSynchronouslyThroughAgentAndGateway() {
    e2e = new EndToEnd("h2", dataDir);

    var reply = e2e.call("GET", "/q?city=Oslo", null);
    var marked = e2e.call("GET", "/sync/q?city=Bergen", null);

    assertThat(reply.statusCode()).isEqualTo(200);
    assertThat(reply.body()).isEqualTo("{\"answer\":\"Oslo\"}");
    assertThat(marked.body()).isEqualTo("{\"answer\":\"Bergen\"}");
    assertThat(e2e.gatewayTasks()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void anAnalysisResultReachesTheCallbackSignedOnceAndBothSidesRelease(String dbKind) {
    e2e = new EndToEnd(dbKind, dataDir);

    var accepted =
        e2e.call("POST", "/analyse?delayMs=300", "data-1", "X-Callback-Url", e2e.callbackUrl());
    var taskId = json(accepted.body()).get("taskId").toString();

    assertThat(accepted.statusCode()).isEqualTo(202);
    assertThat(accepted.headers().firstValue("Location")).hasValue("/_agent/tasks/" + taskId);
    await().atMost(Duration.ofSeconds(20)).until(() -> e2e.deliveries.size() == 1);
    var delivery = e2e.deliveries.peek();
    assertThat(delivery.body()).isEqualTo("analysed:data-1");
    assertThat(delivery.taskId()).isEqualTo(taskId);
    assertThat(delivery.signature())
        .isEqualTo(
            new WebhookSignature(EndToEnd.SECRET)
                .sign(
                    delivery.webhookId(),
                    Long.parseLong(delivery.timestamp()),
                    delivery.body().getBytes(StandardCharsets.UTF_8)));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> e2e.gatewayTasks() == 0 && e2e.agentUnfinished() == 0);
    assertThat(e2e.call("GET", "/_agent/tasks/" + taskId, null).statusCode()).isEqualTo(404);
    assertThat(e2e.deliveries).hasSize(1);
  }

  @Test
  void aHundredAnalysesInParallelAreNotHeldUpByOneSlowOne() {
    e2e = new EndToEnd("h2", dataDir);
    var accepted = new ArrayList<CompletableFuture<java.net.http.HttpResponse<String>>>();

    // the slow analysis is held by the upstream until the fast ones are all delivered: no clock
    // involved
    accepted.add(e2e.callAsync("/analyse?hold=1", "slow", "X-Callback-Url", e2e.callbackUrl()));
    for (int i = 0; i < 99; i++) {
      accepted.add(
          e2e.callAsync("/analyse?delayMs=200", "fast-" + i, "X-Callback-Url", e2e.callbackUrl()));
    }
    CompletableFuture.allOf(accepted.toArray(CompletableFuture[]::new)).join();

    assertThat(accepted).allSatisfy(f -> assertThat(f.join().statusCode()).isEqualTo(202));
    await().atMost(Duration.ofSeconds(60)).until(() -> e2e.deliveries.size() == 99);
    assertThat(e2e.deliveries).noneMatch(d -> d.body().equals("analysed:slow"));
    e2e.releaseHeld.complete(null);
    await().atMost(Duration.ofSeconds(60)).until(() -> e2e.deliveries.size() == 100);
    var ids = new HashSet<String>();
    e2e.deliveries.forEach(d -> ids.add(d.webhookId()));
    assertThat(ids).hasSize(100);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> e2e.gatewayTasks() == 0 && e2e.agentUnfinished() == 0);
  }

  @Test
  void badCallerInputsAreProblemsAndCreateNoTask() {
    e2e = new EndToEnd("h2", dataDir);

    var notAllowed =
        e2e.call(
            "POST", "/analyse", "x", "X-Callback-Url", "http://169.254.169.254/latest/meta-data");
    var otherPort =
        e2e.call("POST", "/analyse", "x", "X-Callback-Url", "http://127.0.0.1:1/hooks/x");
    var illTyped = e2e.call("POST", "/analyse?delayMs=soon", "x");
    var missing = e2e.call("GET", "/q", null);
    var undeclared = e2e.call("GET", "/nowhere", null);
    var unknownTask = e2e.call("GET", "/_agent/tasks/at_unknown", null);

    assertThat(notAllowed.statusCode()).isEqualTo(400);
    assertThat(notAllowed.headers().firstValue("Content-Type"))
        .hasValue("application/problem+json");
    assertThat(json(notAllowed.body()).get("type").toString()).endsWith("/callback-not-allowed");
    assertThat(otherPort.statusCode()).isEqualTo(400);
    assertThat(illTyped.statusCode()).isEqualTo(400);
    assertThat(illTyped.body()).contains("delayMs");
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(missing.body()).contains("\"field\":\"city\"");
    assertThat(undeclared.statusCode()).isEqualTo(404);
    assertThat(unknownTask.statusCode()).isEqualTo(404);
    assertThat(e2e.agentUnfinished()).isZero();
    assertThat(e2e.gatewayTasks()).isZero();
  }

  @Test
  void withoutACallbackTheCallerPollsTheAgentAndReleasesTheTask() {
    e2e = new EndToEnd("h2", dataDir);

    var taskId =
        json(e2e.call("POST", "/analyse?delayMs=100", "data-2").body()).get("taskId").toString();

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                json(e2e.call("GET", "/_agent/tasks/" + taskId, null).body())
                    .get("status")
                    .equals("DONE"));
    var result = e2e.call("GET", "/_agent/tasks/" + taskId + "/result", null);
    assertThat(result.body()).isEqualTo("analysed:data-2");
    await().atMost(Duration.ofSeconds(10)).until(() -> e2e.gatewayTasks() == 0);
    assertThat(e2e.call("DELETE", "/_agent/tasks/" + taskId, null).statusCode()).isEqualTo(204);
    assertThat(e2e.call("GET", "/_agent/tasks/" + taskId, null).statusCode()).isEqualTo(404);
  }

  @Test
  void aFailingCallbackIsRetriedWithTheSameWebhookId() {
    e2e = new EndToEnd("h2", dataDir);
    e2e.failNextCallbacks(3);

    e2e.call("POST", "/analyse?delayMs=50", "data-3", "X-Callback-Url", e2e.callbackUrl());

    await().atMost(Duration.ofSeconds(20)).until(() -> e2e.deliveries.size() == 1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> e2e.gatewayTasks() == 0 && e2e.agentUnfinished() == 0);
    assertThat(e2e.deliveries).hasSize(1);
    assertThat(e2e.attemptIds).hasSize(4).containsOnly(e2e.deliveries.peek().webhookId());
  }

  @Test
  void anAgentRestartMidTaskStillDeliversExactlyOnce() {
    e2e = new EndToEnd("h2", dataDir);
    e2e.call("POST", "/analyse?delayMs=1500", "data-4", "X-Callback-Url", e2e.callbackUrl());
    await().atMost(Duration.ofSeconds(10)).until(() -> e2e.analysesReceived.size() == 1);

    e2e.stopAgent();
    e2e.startAgent();

    await().atMost(Duration.ofSeconds(20)).until(() -> e2e.deliveries.size() == 1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> e2e.gatewayTasks() == 0 && e2e.agentUnfinished() == 0);
    assertThat(e2e.deliveries).hasSize(1);
    assertThat(e2e.deliveries.peek().body()).isEqualTo("analysed:data-4");
  }

  @Test
  void aGatewayRestartMidTaskStillDeliversExactlyOnce() {
    e2e = new EndToEnd("h2", dataDir);
    e2e.call("POST", "/analyse?delayMs=1000", "data-5", "X-Callback-Url", e2e.callbackUrl());
    await().atMost(Duration.ofSeconds(10)).until(() -> e2e.analysesReceived.size() == 1);

    int port = e2e.gatewayPort();
    e2e.stopGateway();
    e2e.startGateway(port);

    await().atMost(Duration.ofSeconds(20)).until(() -> e2e.deliveries.size() == 1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> e2e.gatewayTasks() == 0 && e2e.agentUnfinished() == 0);
    assertThat(e2e.deliveries).hasSize(1);
    assertThat(e2e.analysesReceived).hasSize(1);
  }
}
