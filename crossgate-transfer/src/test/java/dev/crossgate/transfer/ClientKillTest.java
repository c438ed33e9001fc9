package dev.crossgate.transfer;

import static dev.crossgate.transfer.Harness.ACME_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crossgate.agent.transfer.TransferClient;
import dev.crossgate.agent.transfer.TransferClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sending client as a separate process, killed with SIGKILL mid-transfer, then resumed. */
class ClientKillTest {
  private static final int CHUNK = 64 * 1024;
  private static final int CHUNKS = 300;

  @TempDir Path dir;

  @Test
  void aClientKilledWithSigkillResumesAndResendsAtMostTheChunkInFlight() throws Exception {
    var content = Chunks.randomBytes(CHUNKS * CHUNK, 5);
    var file = Files.write(dir.resolve("kill.bin"), content);
    var state = dir.resolve("state");
    try (var gateway = Harness.h2(dir)) {
      var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      var process =
          new ProcessBuilder(
                  java,
                  "-Dclient.key=" + ACME_KEY,
                  "-cp",
                  System.getProperty("java.class.path"),
                  ClientProcess.class.getName(),
                  file.toString(),
                  gateway.base().toString(),
                  state.toString(),
                  Integer.toString(CHUNK),
                  "1")
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("client.log").toFile())
              .start();

      await()
          .pollInterval(Duration.ofMillis(5))
          .atMost(Duration.ofSeconds(60))
          .until(() -> gateway.totalChunkPuts() >= 20 || !process.isAlive());
      process.destroyForcibly().waitFor();
      int putsBeforeKill = gateway.totalChunkPuts();
      var options =
          new TransferClientOptions(
              state, ACME_KEY, CHUNK, 1, 3, Duration.ofSeconds(20), null, "sha-256");
      var result = TransferClient.create(options).send(file, gateway.base());

      assertThat(putsBeforeKill).as("the client was killed mid-transfer").isBetween(20, CHUNKS - 1);
      assertThat(result.chunksSkipped()).isGreaterThanOrEqualTo(putsBeforeKill - 1);
      assertThat(gateway.totalChunkPuts())
          .as("chunk PUTs over both processes")
          .isLessThanOrEqualTo(CHUNKS + 1);
      assertThat(result.fileDigest())
          .as("verified by the gateway at the end notification")
          .isEqualTo(Chunks.sha256(content));
      assertThat(gateway.send("GET", "/_transfers/" + result.taskId(), ACME_KEY, null).body())
          .contains(
              "\"status\":\"COMPLETED\"", "\"fileDigest\":\"" + Chunks.sha256(content) + "\"");
    }
  }
}
