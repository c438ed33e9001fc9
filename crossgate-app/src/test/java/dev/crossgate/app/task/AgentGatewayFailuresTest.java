package dev.crossgate.app.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.json.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent answers the gateway's failures honestly (issue 14): a refused or failed call is
 * retried, never delivered as the task's result, and the gateway's copy is released only after the
 * callback took the real one. The front proxy of {@link EndToEnd} records the gateway's answers in
 * order, with the deliveries.
 */
class AgentGatewayFailuresTest {
  /**
   * One request a second per client, no burst: a poll and a result fetch back to back meet a 429.
   */
  private static final GatewayOptions.Limits ONE_PER_SECOND =
      new GatewayOptions.Limits(8_192, 16_384, 1L << 30, 1, 1, 0);

  @TempDir Path dataDir;
  private EndToEnd e2e;

  @AfterEach
  void close() {
    if (e2e != null) {
      e2e.close();
    }
  }

  @Test
  void underAGatewayRateLimitTheRealResultIsDeliveredOnceAndReleasedOnlyAfter() {
    e2e = new EndToEnd("h2", dataDir, new EndToEnd.Setup(ONE_PER_SECOND, true));

    var taskId =
        taskId(
            e2e.call("POST", "/analyse?delayMs=50", "data-rl", "X-Callback-Url", e2e.callbackUrl())
                .body());

    await().atMost(Duration.ofSeconds(60)).until(() -> e2e.deliveries.size() == 1);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> e2e.gatewayTasks() == 0 && e2e.agentUnfinished() == 0);
    var delivery = e2e.deliveries.peek();
    assertThat(delivery.body()).isEqualTo("analysed:data-rl");
    assertThat(delivery.event()).isEqualTo("task.completed");
    assertThat(delivery.resultStatus()).isEqualTo("200");
    var timeline = new ArrayList<>(e2e.timeline);
    // the reported bug: the result fetch met the rate limit, and that 429 was not taken as the
    // result
    assertThat(timeline).anyMatch(line -> line.matches("GET /_tasks/\\S+/result 429"));
    assertThat(timeline)
        .filteredOn(line -> line.startsWith("DELETE"))
        .last()
        .asString()
        .endsWith(" 204");
    assertThat(timeline.indexOf("delivered " + taskId))
        .isLessThan(indexOfFirst(timeline, "DELETE"));
    assertThat(e2e.deliveries).hasSize(1);
  }

  @Test
  void aResultFetchAnswered503ThenServedDeliversTheServedBody() {
    e2e = new EndToEnd("h2", dataDir, new EndToEnd.Setup(GatewayOptions.Limits.DEFAULT, true));
    e2e.refuseNextResultFetches(1);

    var taskId =
        taskId(
            e2e.call("POST", "/analyse?delayMs=50", "data-503", "X-Callback-Url", e2e.callbackUrl())
                .body());

    await().atMost(Duration.ofSeconds(30)).until(() -> e2e.deliveries.size() == 1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> e2e.gatewayTasks() == 0 && e2e.agentUnfinished() == 0);
    assertThat(e2e.deliveries.peek().body()).isEqualTo("analysed:data-503");
    var fetches =
        new ArrayList<>(e2e.timeline)
            .stream()
                .filter(line -> line.startsWith("GET /_tasks/") && line.contains("/result "))
                .map(line -> line.substring(line.lastIndexOf(' ') + 1))
                .toList();
    assertThat(fetches).containsExactly("503", "200");
    assertThat(new ArrayList<>(e2e.timeline).indexOf("delivered " + taskId))
        .isLessThan(indexOfFirst(new ArrayList<>(e2e.timeline), "DELETE"));
  }

  @Test
  void aTaskTheUpstreamReportsFailedArrivesAsATaskFailedEventWithItsStatusAndBody() {
    e2e = new EndToEnd("h2", dataDir);

    var taskId =
        taskId(
            e2e.call(
                    "POST",
                    "/analyse?delayMs=50&fail=1",
                    "data-f",
                    "X-Callback-Url",
                    e2e.callbackUrl())
                .body());

    await().atMost(Duration.ofSeconds(20)).until(() -> e2e.deliveries.size() == 1);
    var delivery = e2e.deliveries.peek();
    assertThat(delivery.taskId()).isEqualTo(taskId);
    assertThat(delivery.event()).isEqualTo("task.failed");
    assertThat(delivery.taskStatus()).isEqualTo("FAILED");
    assertThat(delivery.resultStatus()).isEqualTo("422");
    assertThat(delivery.body()).isEqualTo(EndToEnd.FAILURE);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> e2e.gatewayTasks() == 0 && e2e.agentUnfinished() == 0);
  }

  @Test
  void aCompletedTaskArrivesAsATaskCompletedEvent() {
    e2e = new EndToEnd("h2", dataDir);

    e2e.call("POST", "/analyse?delayMs=50", "data-ok", "X-Callback-Url", e2e.callbackUrl());

    await().atMost(Duration.ofSeconds(20)).until(() -> e2e.deliveries.size() == 1);
    assertThat(e2e.deliveries.peek().event()).isEqualTo("task.completed");
    assertThat(e2e.deliveries.peek().taskStatus()).isEqualTo("DONE");
  }

  private static int indexOfFirst(java.util.List<String> timeline, String prefix) {
    for (int i = 0; i < timeline.size(); i++) {
      if (timeline.get(i).startsWith(prefix)) {
        return i;
      }
    }
    throw new AssertionError("no " + prefix + " in " + timeline);
  }

  @SuppressWarnings("unchecked")
  private static String taskId(String body) {
    return Json.read(body, Map.class).get("taskId").toString();
  }
}
