package dev.crossgate.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReadinessTest {

  @Test
  void everyCheckPassingIsReadyAndShowsWhatTheChecksReported() {
    var readiness =
        new Readiness()
            .require("database", () -> Future.succeededFuture(Map.of("revision", 12L)))
            .require("configuration", () -> Future.succeededFuture(Map.of("connected", true)));

    var answer = join(readiness.answer());

    assertThat(answer.ready()).isTrue();
    assertThat(answer.body())
        .containsEntry("status", "ready")
        .containsEntry("revision", 12L)
        .containsEntry("connected", true);
  }

  @Test
  void aCheckThatNeverAnswersMakesTheAnswerNotReadyAfterTheTimeoutWithRetryAfter() {
    var readiness =
        new Readiness().require("database", () -> Promise.<Map<String, Object>>promise().future());

    var answer = join(readiness.answer());

    assertThat(answer.ready()).isFalse();
    assertThat(answer.problem().status()).isEqualTo(503);
    assertThat(answer.problem().typeName()).isEqualTo("not-ready");
    assertThat(answer.problem().detail()).isEqualTo("database: no answer within 1000 ms");
    assertThat(answer.problem().extensions())
        .containsEntry("retryAfter", Readiness.RETRY_AFTER_SECONDS);
  }

  @Test
  void aCheckStillRunningIsJoinedRatherThanStartedAgain() {
    var runs = new AtomicInteger();
    var hung = Promise.<Map<String, Object>>promise();
    var readiness =
        new Readiness()
            .require(
                "database",
                () -> {
                  runs.incrementAndGet();
                  return hung.future();
                });

    join(readiness.answer());
    join(readiness.answer());
    hung.complete(Map.of());
    var afterItAnswered = join(readiness.answer());

    assertThat(afterItAnswered.ready()).isTrue();
    assertThat(runs.get()).as("one run for the two probes during the hang, one after").isEqualTo(2);
  }

  @Test
  void aFailedCheckShowsItsSafeReasonButNeverAnInternalCause() {
    var notReady =
        new Readiness()
            .require(
                "configuration",
                () -> Future.failedFuture(new Readiness.NotReady("no configuration applied yet")));
    var broken =
        new Readiness()
            .require(
                "database",
                () ->
                    Future.failedFuture(
                        new IllegalStateException("jdbc:postgresql://10.0.0.5/secret refused")));

    var first = join(notReady.answer());
    var second = join(broken.answer());

    assertThat(first.problem().detail()).isEqualTo("configuration: no configuration applied yet");
    assertThat(second.problem().detail()).isEqualTo("database: check failed");
  }

  @Test
  void aDrainingProcessIsNotReadyEvenWhenEveryCheckPasses() {
    var readiness = new Readiness().require("database", () -> Future.succeededFuture(Map.of()));

    readiness.drain();
    var answer = join(readiness.answer());

    assertThat(answer.ready()).isFalse();
    assertThat(answer.problem().detail()).contains("draining");
  }

  private static Readiness.Answer join(Future<Readiness.Answer> answer) {
    try {
      return answer.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
