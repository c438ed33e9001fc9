package dev.crossgate.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code /readyz} of the control plane against a real PostgreSQL that stops answering. */
class ReadyzTest {

  @Test
  void aHungDatabaseMakesReadyzAnswer503WithRetryAfterInsteadOfHangingAndReadyAgainOnceItAnswers()
      throws Exception {
    try (var kit = AdminKit.start("postgres");
        var locker = kit.controlPlane().database().dataSource().getConnection()) {
      assertThat(kit.get("/readyz").status()).isEqualTo(200);
      locker.setAutoCommit(false);
      // the revision query now waits for the lock, as it would for a database that stopped
      // answering
      try (var lock = locker.createStatement()) {
        lock.execute("LOCK TABLE revision_counter IN ACCESS EXCLUSIVE MODE");
      }

      // bounded well below the pool's 10 s connection timeout: the answer must not wait for the
      // database
      var hung =
          kit.send(HttpRequest.newBuilder(kit.uri("/readyz")).timeout(Duration.ofSeconds(5)));
      var again =
          kit.send(HttpRequest.newBuilder(kit.uri("/readyz")).timeout(Duration.ofSeconds(5)));
      locker.rollback();

      assertThat(hung.status()).isEqualTo(503);
      assertThat(hung.header("content-type")).isEqualTo("application/problem+json");
      assertThat(hung.header("retry-after")).isEqualTo("5");
      assertThat(hung.problemType()).isEqualTo("not-ready");
      assertThat(hung.json().path("detail").asText())
          .isEqualTo("database: no answer within 1000 ms");
      assertThat(again.status()).isEqualTo(503);
      await().atMost(Duration.ofSeconds(20)).until(() -> kit.get("/readyz").status() == 200);
      assertThat(kit.get("/readyz").json().has("revision")).isTrue();
    }
  }
}
