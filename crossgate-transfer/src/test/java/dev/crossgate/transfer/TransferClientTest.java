package dev.crossgate.transfer;

import static dev.crossgate.transfer.Harness.ACME_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossgate.agent.transfer.Sender;
import dev.crossgate.agent.transfer.TransferClient;
import dev.crossgate.agent.transfer.TransferClientOptions;
import dev.crossgate.agent.transfer.TransferException;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sending client against a real embedded gateway: every kind of interruption, then resume. */
class TransferClientTest {
  private static final int CHUNK = 64 * 1024;
  private static final int CHUNKS = 40;

  @TempDir Path dir;
  private Harness gateway;
  private FakeTarget target;
  private Path file;
  private byte[] content;

  @BeforeEach
  void start() throws Exception {
    gateway = Harness.h2(dir);
    target = new FakeTarget(Vertx.vertx());
    content = Chunks.randomBytes(CHUNKS * CHUNK - 777, 42);
    file = Files.write(dir.resolve("payload.bin"), content);
  }

  @AfterEach
  void stop() {
    gateway.close();
    target.close();
  }

  private TransferClientOptions options(int parallelism) {
    return new TransferClientOptions(
        dir.resolve("client-state"),
        ACME_KEY,
        CHUNK,
        parallelism,
        3,
        Duration.ofSeconds(20),
        target.url("/inbox"),
        "sha-256");
  }

  @Test
  void aClientStoppedMidwayResumesAndResendsAtMostTheChunksInFlight() throws Exception {
    var accepted = new AtomicInteger();
    var first = new java.util.concurrent.atomic.AtomicReference<TransferClient>();
    first.set(
        TransferClient.create(
            options(3),
            (n, bytes) -> {
              if (accepted.incrementAndGet() == 10) {
                first.get().cancel();
              }
            }));

    assertThatThrownBy(() -> first.get().send(file, gateway.base()))
        .isInstanceOf(TransferException.class)
        .hasMessage("cancelled");
    int putsBeforeResume = gateway.totalChunkPuts();
    var result = TransferClient.create(options(3)).send(file, gateway.base());

    assertThat(putsBeforeResume).isLessThan(CHUNKS);
    assertThat(result.chunksSkipped()).isGreaterThanOrEqualTo(10);
    assertThat(gateway.totalChunkPuts())
        .as("chunks sent in both runs")
        .isLessThanOrEqualTo(CHUNKS + 3);
    assertDeliveredOnce();
    assertThat(dir.resolve("client-state")).isEmptyDirectory();
  }

  @Test
  void aGatewayRestartMidTransferIsResumedFromTheNextMissingChunk() throws Exception {
    var accepted = new AtomicInteger();
    var client =
        TransferClient.create(
            options(2).withMaxAttempts(2),
            (n, bytes) -> {
              if (accepted.incrementAndGet() == 15) {
                gateway.stop();
              }
            });

    assertThatThrownBy(() -> client.send(file, gateway.base()))
        .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.resumable()).isTrue());
    gateway.restart();
    var result = TransferClient.create(options(2)).send(file, gateway.base());

    assertThat(result.chunksSkipped()).isGreaterThanOrEqualTo(15);
    assertThat(gateway.totalChunkPuts()).isLessThanOrEqualTo(CHUNKS + 2);
    assertDeliveredOnce();
  }

  @Test
  void aConnectionCutMidChunkIsResumedWithoutResendingMoreThanTheChunkInFlight() throws Exception {
    try (var proxy = new CuttingProxy(gateway.port())) {
      proxy.cutOnceAfter(5L * CHUNK + 3000);

      var result =
          TransferClient.create(options(1))
              .send(file, URI.create("http://127.0.0.1:" + proxy.port()));

      assertThat(proxy.cuts()).isEqualTo(1);
      assertThat(result.chunksResent()).isEqualTo(1);
      assertThat(gateway.totalChunkPuts()).isLessThanOrEqualTo(CHUNKS + 1);
      assertDeliveredOnce();
    }
  }

  @Test
  void aChunkCorruptedInTransitIsDetectedAndResent() throws Exception {
    try (var proxy = new CuttingProxy(gateway.port())) {
      proxy.corruptOnceAt(2L * CHUNK);

      var result =
          TransferClient.create(options(1))
              .send(file, URI.create("http://127.0.0.1:" + proxy.port()));

      assertThat(proxy.corruptions()).isEqualTo(1);
      assertThat(result.chunksResent()).isEqualTo(1);
      assertThat(gateway.chunkPuts.values().stream().filter(c -> c.get() == 2).count())
          .isEqualTo(1);
      assertDeliveredOnce();
    }
  }

  @Test
  void crc32cDigestsCanBeChosenForChunksAndTheWholeFile() throws Exception {
    var result = TransferClient.create(options(2).withDigest("crc32c")).send(file, gateway.base());

    assertThat(result.fileDigest()).startsWith("crc32c=:").isEqualTo(Chunks.crc32c(content));
    assertDeliveredOnce();
  }

  @Test
  void theSendCommandReportsTheTransferAndLeavesNoState() {
    var out = new StringWriter();

    int exit =
        new Sender(new PrintWriter(out))
            .run(
                file,
                gateway.base(),
                ACME_KEY,
                dir.resolve("send-state"),
                target.url("/inbox"),
                CHUNK,
                2);

    assertThat(exit).as(out.toString()).isEqualTo(Sender.OK);
    assertThat(out.toString())
        .contains(
            "sent payload.bin (" + content.length + " bytes)", "40 chunks sent", "answered 201");
    assertThat(dir.resolve("send-state")).isEmptyDirectory();
    assertDeliveredOnce();
  }

  @Test
  void theSendCommandSaysWhenARunCanBeResumed() {
    var out = new StringWriter();
    gateway.stop();

    int exit =
        new Sender(new PrintWriter(out))
            .run(file, gateway.base(), ACME_KEY, dir.resolve("send-state"), null, CHUNK, 1);
    gateway.restart();

    assertThat(exit).isEqualTo(Sender.RESUMABLE);
    assertThat(out.toString()).contains("run the same command again to resume");
  }

  @Test
  void aSourceFileChangedBetweenRunsDeletesTheTransferItSupersedes() throws Exception {
    var stale = interruptedSend();
    content = Chunks.randomBytes(CHUNKS * CHUNK - 999, 43);
    Files.write(file, content);

    var result = TransferClient.create(options(2)).send(file, gateway.base());

    assertThat(result.taskId()).isNotEqualTo(stale);
    assertThat(gateway.send("GET", "/_transfers/" + stale, ACME_KEY, null).statusCode())
        .isEqualTo(404);
    assertThat(gateway.repository.recent(10))
        .extracting(t -> t.id())
        .containsExactly(result.taskId());
    assertDeliveredOnce();
  }

  @Test
  void anotherDigestOnResumeStartsANewTransferAndDeletesTheOneItSupersedes() throws Exception {
    var stale = interruptedSend();

    var result = TransferClient.create(options(2).withDigest("crc32c")).send(file, gateway.base());

    // the gateway would refuse the old descriptor with another digest (409) for good
    assertThat(result.taskId()).isNotEqualTo(stale);
    assertThat(result.fileDigest()).isEqualTo(Chunks.crc32c(content));
    assertThat(gateway.send("GET", "/_transfers/" + stale, ACME_KEY, null).statusCode())
        .isEqualTo(404);
    assertDeliveredOnce();
  }

  @Test
  void aSourceFileChangedUnderTheSameSizeAndTimeIsRefusedAndItsTransferDeleted() throws Exception {
    var modified = Files.getLastModifiedTime(file);
    var stale = interruptedSend();
    content[0] ^= 1;
    Files.write(file, content);
    Files.setLastModifiedTime(file, modified);

    assertThatThrownBy(() -> TransferClient.create(options(2)).send(file, gateway.base()))
        .isInstanceOfSatisfying(
            TransferException.class,
            e -> {
              assertThat(e.resumable()).isFalse();
              assertThat(e.getMessage()).contains("source file changed");
            });
    assertThat(gateway.send("GET", "/_transfers/" + stale, ACME_KEY, null).statusCode())
        .isEqualTo(404);
    assertThat(gateway.repository.recent(10)).isEmpty();
    assertThat(dir.resolve("client-state")).isEmptyDirectory();
  }

  /** A send cancelled after 10 chunks; its transfer is left OPEN. Returns the transfer's id. */
  private String interruptedSend() {
    var accepted = new AtomicInteger();
    var client = new java.util.concurrent.atomic.AtomicReference<TransferClient>();
    client.set(
        TransferClient.create(
            options(2),
            (n, bytes) -> {
              if (accepted.incrementAndGet() == 10) {
                client.get().cancel();
              }
            }));
    assertThatThrownBy(() -> client.get().send(file, gateway.base()))
        .isInstanceOf(TransferException.class)
        .hasMessage("cancelled");
    var open = gateway.repository.recent(10);
    assertThat(open)
        .singleElement()
        .satisfies(t -> assertThat(t.status().name()).isEqualTo("OPEN"));
    return open.get(0).id();
  }

  private void assertDeliveredOnce() {
    assertThat(target.deliveries())
        .singleElement()
        .satisfies(d -> assertThat(d.body().getBytes()).isEqualTo(content));
    assertThat(gateway.files()).isZero();
  }
}
