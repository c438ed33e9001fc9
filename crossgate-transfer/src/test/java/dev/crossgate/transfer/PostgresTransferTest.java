package dev.crossgate.transfer;

import static dev.crossgate.transfer.Harness.ACME_KEY;
import static dev.crossgate.transfer.Harness.GLOBEX_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossgate.agent.transfer.TransferClient;
import dev.crossgate.agent.transfer.TransferClientOptions;
import dev.crossgate.agent.transfer.TransferException;
import dev.crossgate.store.Database;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transfer store on real PostgreSQL (127.0.0.1:5432, user postgres), in a database created for
 * this class and dropped after it. Skipped when PostgreSQL is unreachable on a developer machine;
 * with {@code CI=true} an unreachable PostgreSQL fails the build instead.
 */
class PostgresTransferTest {
  private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
  private static final String NAME =
      "crossgate_transfer_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

  @TempDir Path dir;

  @BeforeAll
  static void createDatabase() throws SQLException {
    try (var c = DriverManager.getConnection(SERVER + "postgres", "postgres", null);
        var s = c.createStatement()) {
      s.execute("CREATE DATABASE " + NAME);
    } catch (SQLException e) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException("PostgreSQL at 127.0.0.1:5432 is required when CI=true", e);
      }
      Assumptions.abort("PostgreSQL at 127.0.0.1:5432 is unreachable: " + e.getMessage());
    }
  }

  @AfterAll
  static void dropDatabase() throws SQLException {
    try (var c = DriverManager.getConnection(SERVER + "postgres", "postgres", null);
        var s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + NAME + " WITH (FORCE)");
    }
  }

  private Harness gateway() {
    var database = Database.open(SERVER + NAME, "postgres", null, 8);
    return Harness.start(database, dir, Harness.testSettings(dir));
  }

  @Test
  void aTransferInterruptedByAGatewayRestartResumesAndIsDeliveredOnPostgres() throws Exception {
    var content = Chunks.randomBytes(30 * 64 * 1024 + 5, 77);
    var file = Files.write(dir.resolve("pg.bin"), content);
    try (var gateway = gateway();
        var target = new FakeTarget(Vertx.vertx())) {
      var options =
          new TransferClientOptions(
              dir.resolve("state"),
              ACME_KEY,
              64 * 1024,
              2,
              2,
              Duration.ofSeconds(20),
              target.url("/pg"),
              "sha-256");
      var accepted = new AtomicInteger();
      var first =
          TransferClient.create(
              options,
              (n, bytes) -> {
                if (accepted.incrementAndGet() == 12) {
                  gateway.stop();
                }
              });

      assertThatThrownBy(() -> first.send(file, gateway.base()))
          .isInstanceOf(TransferException.class);
      gateway.restart();
      var result = TransferClient.create(options).send(file, gateway.base());

      assertThat(result.chunksSkipped()).isGreaterThanOrEqualTo(12);
      assertThat(gateway.totalChunkPuts()).isLessThanOrEqualTo(31 + 2);
      assertThat(target.deliveries())
          .singleElement()
          .satisfies(d -> assertThat(d.body().getBytes()).isEqualTo(content));
      assertThat(gateway.files()).isZero();
    }
  }

  @Test
  void tenantsAreIsolatedAndExpiredTransfersLeaveNothingOnPostgres() {
    try (var gateway = gateway()) {
      var chunk = Chunks.randomBytes(1000, 3);
      var id = "pg-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
      gateway.post("/_transfers", ACME_KEY, Chunks.descriptor(id, 1000, 2000, ""));
      gateway.send(
          "PUT",
          "/_transfers/" + id + "/chunks/0",
          ACME_KEY,
          chunk,
          "Content-Digest",
          Chunks.sha256(chunk));

      var hidden = gateway.send("GET", "/_transfers/" + id, GLOBEX_KEY, null);
      gateway.clock.advance(Duration.ofHours(2));
      int swept = Harness.await(gateway.endpoint().sweepExpired());

      assertThat(hidden.statusCode()).isEqualTo(404);
      assertThat(swept).as("this transfer and any the other test left").isPositive();
      assertThat(gateway.rows("transfers")).isZero();
      assertThat(gateway.rows("transfer_chunks")).isZero();
      assertThat(gateway.files()).isZero();
    }
  }
}
