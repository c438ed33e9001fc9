package dev.crossgate.transfer;

import static dev.crossgate.transfer.Harness.ACME_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.agent.transfer.TransferClient;
import dev.crossgate.agent.transfer.TransferClientOptions;
import dev.crossgate.store.Database;
import dev.crossgate.store.TestDatabases;
import dev.crossgate.store.transfer.ChunkStorage;
import dev.crossgate.store.transfer.ChunkStore;
import io.tus.java.client.TusClient;
import io.tus.java.client.TusURLMemoryStore;
import io.tus.java.client.TusUpload;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Chunk bytes stored in the database ({@link ChunkStorage#DATABASE}, {@link DatabaseChunkStore}),
 * on H2 and on real PostgreSQL (a fresh database per test, dropped after it), over real HTTP.
 */
class TransferChunksInDatabaseTest {
  private static final int CHUNK = 64 * 1024;

  @TempDir Path dir;

  private static Harness gateway(Database database, Path dataDir) {
    return Harness.start(
        database, dataDir, Harness.testSettings(dataDir).withChunkStorage(ChunkStorage.DATABASE));
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void aNativeTransferAndATusUploadArriveByteIdenticalWithoutAChunkFileOnDisk(String kind)
      throws Exception {
    var nativeContent = Chunks.randomBytes(20 * CHUNK + 77, 11);
    var tusContent = Chunks.randomBytes(2 * 1024 * 1024 + 5, 12);
    var nativeFile = Files.write(dir.resolve("native.bin"), nativeContent);
    var tusFile = Files.write(dir.resolve("tus.bin"), tusContent);
    try (var db = TestDatabases.open(kind);
        var gateway = gateway(db.database(), dir.resolve("node"));
        var target = new FakeTarget(Vertx.vertx())) {
      var rowsWhileSending = new AtomicLong();
      var options =
          new TransferClientOptions(
              dir.resolve("state"),
              ACME_KEY,
              CHUNK,
              2,
              2,
              Duration.ofSeconds(20),
              target.url("/native"),
              "sha-256");

      TransferClient.create(
              options,
              (n, bytes) ->
                  rowsWhileSending.accumulateAndGet(gateway.rows("transfer_chunk_data"), Math::max))
          .send(nativeFile, gateway.base());
      tusUpload(gateway, tusFile, target.url("/tus"));

      assertThat(rowsWhileSending.get())
          .as("the chunks were rows while the transfer ran")
          .isPositive();
      assertThat(target.deliveries()).hasSize(2);
      assertThat(target.deliveries().get(0).body().getBytes()).isEqualTo(nativeContent);
      assertThat(target.deliveries().get(1).body().getBytes()).isEqualTo(tusContent);
      assertThat(target.deliveries().get(1).reprDigest()).isEqualTo(Chunks.sha256(tusContent));
      assertThat(gateway.files()).as("no chunk file under the data dir").isZero();
      assertThat(gateway.rows("transfer_chunk_data"))
          .as("delivered transfers release their bytes")
          .isZero();
    }
  }

  @Test
  void twoGatewaysThatShareOnlyPostgresServeOneTransferAndTheSecondVerifiesTheWholeFile() {
    var file = Chunks.randomBytes(9 * CHUNK + 300, 21);
    try (var db = TestDatabases.postgres();
        var a = gateway(db.database(), dir.resolve("a"));
        var b = gateway(Database.open(db.url(), "postgres", null, 8), dir.resolve("b"));
        var target = new FakeTarget(Vertx.vertx())) {
      var created =
          a.post(
              "/_transfers",
              ACME_KEY,
              Chunks.descriptor(
                  "shared",
                  CHUNK,
                  file.length,
                  "\"fileDigest\":\""
                      + Chunks.sha256(file)
                      + "\",\"target\":\""
                      + target.url("/inbox")
                      + "\""));
      assertThat(created.statusCode()).isEqualTo(201);
      for (int n = 0; n < 10; n++) {
        var node = n % 2 == 0 ? a : b;
        var chunk = Chunks.chunk(file, CHUNK, n);
        var put =
            node.send(
                "PUT",
                "/_transfers/shared/chunks/" + n,
                ACME_KEY,
                chunk,
                "Content-Digest",
                Chunks.sha256(chunk));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
      }
      long rowsBeforeCompletion = b.rows("transfer_chunk_data");

      var completed = b.send("POST", "/_transfers/shared/complete", ACME_KEY, null);

      assertThat(rowsBeforeCompletion).isEqualTo(10);
      assertThat(completed.statusCode()).as(completed.body()).isEqualTo(200);
      assertThat(json(completed))
          .containsEntry("status", "COMPLETED")
          .containsEntry("fileDigest", Chunks.sha256(file));
      assertThat(target.deliveries())
          .singleElement()
          .satisfies(d -> assertThat(d.body().getBytes()).isEqualTo(file));
      assertThat(a.files() + b.files()).isZero();
      assertThat(a.rows("transfer_chunk_data")).isZero();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void abortExpiryCompletionAndARemovedTransferRowLeaveNoChunkBytes(String kind) {
    try (var db = TestDatabases.open(kind);
        var gateway = gateway(db.database(), dir);
        var target = new FakeTarget(Vertx.vertx())) {
      var file = Chunks.randomBytes(2 * CHUNK, 31);
      for (var id : new String[] {"aborted", "expired", "removed"}) {
        gateway.post("/_transfers", ACME_KEY, Chunks.descriptor(id, CHUNK, file.length, ""));
        putChunk(gateway, id, 0, Chunks.chunk(file, CHUNK, 0));
      }
      gateway.post(
          "/_transfers",
          ACME_KEY,
          Chunks.descriptor(
              "completed", CHUNK, file.length, "\"target\":\"" + target.url("/done") + "\""));
      putChunk(gateway, "completed", 0, Chunks.chunk(file, CHUNK, 0));
      putChunk(gateway, "completed", 1, Chunks.chunk(file, CHUNK, 1));
      long rowsBefore = gateway.rows("transfer_chunk_data");

      var aborted = gateway.send("DELETE", "/_transfers/aborted", ACME_KEY, null);
      var completed = gateway.send("POST", "/_transfers/completed/complete", ACME_KEY, null);
      // the index alone drops the row, as a node that died before deleting the bytes would leave it
      gateway.repository.delete("acme", "removed");
      gateway.clock.advance(Duration.ofHours(2));
      int swept = Harness.await(gateway.endpoint().sweepExpired());

      assertThat(rowsBefore).isEqualTo(5);
      assertThat(aborted.statusCode()).isBetween(200, 204);
      assertThat(completed.statusCode()).as(completed.body()).isEqualTo(200);
      assertThat(swept).as("expired, and the completed one's row").isPositive();
      assertThat(gateway.rows("transfer_chunk_data")).isZero();
      assertThat(gateway.rows("transfer_chunks")).isZero();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void aChunkRejectedForItsDigestStoresNoBytes(String kind) {
    try (var db = TestDatabases.open(kind);
        var gateway = gateway(db.database(), dir)) {
      var good = Chunks.randomBytes(CHUNK, 41);
      var damaged = good.clone();
      damaged[7] ^= 1;
      gateway.post("/_transfers", ACME_KEY, Chunks.descriptor("corrupt", CHUNK, 2L * CHUNK, ""));

      var rejected =
          gateway.send(
              "PUT",
              "/_transfers/corrupt/chunks/0",
              ACME_KEY,
              damaged,
              "Content-Digest",
              Chunks.sha256(good));
      long rowsAfterRejection = gateway.rows("transfer_chunk_data");
      var resent = putChunk(gateway, "corrupt", 0, good);

      assertThat(rejected.statusCode()).isEqualTo(422);
      assertThat(rowsAfterRejection).isZero();
      assertThat(resent.statusCode()).isEqualTo(200);
      assertThat(gateway.rows("transfer_chunk_data")).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void aLeftoverIsReplacedReadsComeInPiecesOfAtMostOneMebibyteAndAGoneTransferStoresNothing(
      String kind) {
    try (var db = TestDatabases.open(kind);
        var gateway = gateway(db.database(), dir)) {
      var created =
          gateway.post(
              "/_transfers",
              ACME_KEY,
              Chunks.descriptor("direct", 1024 * 1024, 4L * 1024 * 1024, ""));
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      var store = ChunkStore.inDatabase(db.database().dataSource());
      var leftover = Chunks.randomBytes(1000, 51);
      var chunk = Chunks.randomBytes(2 * 1024 * 1024 + 3, 52);

      store.write("acme", "direct", 0, ByteBuffer.wrap(leftover));
      store.write("acme", "direct", 0, ByteBuffer.allocateDirect(chunk.length).put(chunk).flip());
      store.write("acme", "never-created", 0, ByteBuffer.wrap(leftover));
      var read = new ByteArrayOutputStream();
      var pieces = new ArrayList<Integer>();
      boolean found =
          store.read(
              "acme",
              "direct",
              0,
              piece -> {
                pieces.add(piece.remaining());
                var bytes = new byte[piece.remaining()];
                piece.get(bytes);
                read.writeBytes(bytes);
              });

      assertThat(found).isTrue();
      assertThat(read.toByteArray()).isEqualTo(chunk);
      assertThat(pieces)
          .hasSizeGreaterThan(2)
          .allSatisfy(size -> assertThat(size).isBetween(1, 1024 * 1024));
      assertThat(store.read("acme", "never-created", 0, piece -> {})).isFalse();
      assertThat(store.read("acme", "direct", 1, piece -> {})).isFalse();
      assertThat(gateway.rows("transfer_chunk_data")).isEqualTo(1);
    }
  }

  private static HttpResponse<String> putChunk(
      Harness gateway, String id, int number, byte[] chunk) {
    var put =
        gateway.send(
            "PUT",
            "/_transfers/" + id + "/chunks/" + number,
            ACME_KEY,
            chunk,
            "Content-Digest",
            Chunks.sha256(chunk));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    return put;
  }

  private static void tusUpload(Harness gateway, Path file, String target) throws Exception {
    var client = new TusClient();
    client.setUploadCreationURL(new URL(gateway.base() + "/_tus/"));
    client.enableResuming(new TusURLMemoryStore());
    client.setHeaders(Map.of("X-Api-Key", ACME_KEY));
    var upload = new TusUpload(file.toFile());
    upload.setMetadata(Map.of("filename", file.getFileName().toString(), "target", target));
    var uploader = client.resumeOrCreateUpload(upload);
    uploader.setChunkSize(64 * 1024);
    uploader.setRequestPayloadSize(512 * 1024);
    while (uploader.uploadChunk() > -1) {
      // each PATCH segment becomes one chunk row
    }
    uploader.finish();
  }

  private static Map<String, Object> json(HttpResponse<String> response) {
    return NativeTransferTest.json(response);
  }
}
