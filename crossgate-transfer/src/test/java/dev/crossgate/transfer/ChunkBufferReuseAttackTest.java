package dev.crossgate.transfer;

import static dev.crossgate.transfer.Harness.ACME_KEY;
import static dev.crossgate.transfer.Harness.GLOBEX_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chunk bodies are received into buffers that are reused across transfers and tenants. One tenant
 * sends a chunk shorter than its transfer's chunk size, with the digest the body would have if the
 * gateway filled the rest from the buffer's previous use, another tenant's chunk: the gateway must
 * refuse it and store nothing, whatever the buffer held before.
 */
class ChunkBufferReuseAttackTest {
  private static final int CHUNK = 64 * 1024;
  private static final int SHORT = CHUNK - 4096;

  @TempDir Path dir;
  private Harness gateway;

  @BeforeEach
  void start() {
    gateway = Harness.h2(dir);
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  @Test
  void aShortChunkIsNeverCompletedWithTheBytesOfAnotherTenantsChunk() throws Exception {
    var acmeFile = Chunks.randomBytes(2 * CHUNK, 1);
    assertThat(
            gateway
                .post("/_transfers", ACME_KEY, Chunks.descriptor("secret", CHUNK, 2 * CHUNK, ""))
                .statusCode())
        .isEqualTo(201);
    var acmeChunk = Chunks.chunk(acmeFile, CHUNK, 0);
    assertThat(
            gateway
                .send(
                    "PUT",
                    "/_transfers/secret/chunks/0",
                    ACME_KEY,
                    acmeChunk,
                    "Content-Digest",
                    Chunks.sha256(acmeChunk))
                .statusCode())
        .isEqualTo(200);

    assertThat(
            gateway
                .post("/_transfers", GLOBEX_KEY, Chunks.descriptor("probe", CHUNK, 2 * CHUNK, ""))
                .statusCode())
        .isEqualTo(201);
    var own = Chunks.randomBytes(SHORT, 2);
    // what the buffer would hold if its old bytes were taken for the part never sent
    var padded = Arrays.copyOf(own, CHUNK);
    System.arraycopy(acmeChunk, SHORT, padded, SHORT, CHUNK - SHORT);
    var forgedDigest = Chunks.sha256(padded);

    // with a Content-Length that admits the short body, and chunked with no length at all
    var declared =
        gateway.send(
            "PUT", "/_transfers/probe/chunks/0", GLOBEX_KEY, own, "Content-Digest", forgedDigest);
    assertThat(declared.statusCode()).as(declared.body()).isEqualTo(400);
    assertThat(declared.headers().firstValue("Content-Type")).contains("application/problem+json");

    var chunked = putChunked("/_transfers/probe/chunks/0", GLOBEX_KEY, own, forgedDigest);
    assertThat(chunked).startsWith("HTTP/1.1 400").contains("application/problem+json");
    assertThat(chunked).doesNotContain("\"stored\"");

    // nothing of the probe was stored, and the other tenant's chunk is untouched
    var status = gateway.send("GET", "/_transfers/probe", GLOBEX_KEY, null);
    assertThat(NativeTransferTest.json(status))
        .containsEntry("receivedBytes", 0)
        .containsEntry("lowestMissing", 0);
    assertThat(gateway.rows("transfer_chunks")).isEqualTo(1);
    var acme = gateway.send("GET", "/_transfers/secret", ACME_KEY, null);
    assertThat(NativeTransferTest.json(acme)).containsEntry("receivedBytes", CHUNK);
  }

  /** A PUT whose body goes in one chunk of chunked transfer coding: no length declared up front. */
  private String putChunked(String path, String key, byte[] body, String digest)
      throws IOException {
    try (var socket = new Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(10_000);
      var head =
          "PUT "
              + path
              + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: "
              + key
              + "\r\nContent-Digest: "
              + digest
              + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
              + Integer.toHexString(body.length)
              + "\r\n";
      var out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return readAll(socket.getInputStream());
    }
  }

  private static String readAll(InputStream in) throws IOException {
    var all = new ByteArrayOutputStream();
    in.transferTo(all);
    return all.toString(StandardCharsets.ISO_8859_1);
  }
}
