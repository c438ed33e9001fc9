package dev.crossgate.transfer;

import static dev.crossgate.transfer.Harness.ACME_KEY;
import static dev.crossgate.transfer.Harness.GLOBEX_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tus.java.client.TusClient;
import io.tus.java.client.TusURLMemoryStore;
import io.tus.java.client.TusUpload;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tus 1.0 at /_tus/: the real tus-java-client, and the protocol rules one by one. */
class TusTest {
  private static final String TUS = "Tus-Resumable";
  private static final String OCTETS = "application/offset+octet-stream";

  @TempDir Path dir;
  private Harness gateway;
  private FakeTarget target;

  @BeforeEach
  void start() {
    gateway = Harness.h2(dir);
    target = new FakeTarget(Vertx.vertx());
  }

  @AfterEach
  void stop() {
    gateway.close();
    target.close();
  }

  @Test
  void tusJavaClientUploadIsInterruptedResumedAndArrivesByteIdentical() throws Exception {
    var content = Chunks.randomBytes(3 * 1024 * 1024 + 17, 99);
    var file = Files.write(dir.resolve("tus.bin"), content);
    var store = new TusURLMemoryStore();
    try (var proxy = new CuttingProxy(gateway.port())) {
      proxy.cutOnceAfter(1_500_000);
      var creationUrl = new URL("http://127.0.0.1:" + proxy.port() + "/_tus/");

      assertThatThrownBy(() -> upload(creationUrl, store, file)).isInstanceOf(IOException.class);
      long resumedAt = upload(creationUrl, store, file);

      assertThat(proxy.cuts()).isEqualTo(1);
      assertThat(resumedAt)
          .as("the second run starts where the first was cut")
          .isGreaterThan(1_000_000);
    }
    assertThat(target.deliveries())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.body().getBytes()).isEqualTo(content);
              assertThat(d.reprDigest()).isEqualTo(Chunks.sha256(content));
            });
    assertThat(gateway.files()).isZero();
  }

  /** Uploads with tus-java-client; returns the offset the upload resumed from. */
  private long upload(URL creationUrl, TusURLMemoryStore store, Path file) throws Exception {
    var client = new TusClient();
    client.setUploadCreationURL(creationUrl);
    client.enableResuming(store);
    client.setHeaders(Map.of("X-Api-Key", ACME_KEY));
    var upload = new TusUpload(file.toFile());
    upload.setMetadata(Map.of("filename", "tus.bin", "target", target.url("/tus-inbox")));
    var uploader = client.resumeOrCreateUpload(upload);
    long resumedAt = uploader.getOffset();
    uploader.setChunkSize(64 * 1024);
    uploader.setRequestPayloadSize(512 * 1024);
    while (uploader.uploadChunk() > -1) {
      assertThat(uploader.getOffset()).isLessThanOrEqualTo(upload.getSize());
    }
    uploader.finish();
    return resumedAt;
  }

  @Test
  void optionsAnnouncesVersionExtensionsAndLimits() {
    var response = gateway.send("OPTIONS", "/_tus/", null, null);

    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(response.headers().firstValue("Tus-Version")).contains("1.0.0");
    assertThat(response.headers().firstValue("Tus-Extension"))
        .contains(
            "creation,creation-with-upload,creation-defer-length,checksum,termination,expiration");
    assertThat(response.headers().firstValue("Tus-Max-Size"))
        .contains(Long.toString(64L * 1024 * 1024));
    assertThat(response.headers().firstValue("Tus-Checksum-Algorithm"))
        .contains("sha1,sha256,crc32c");
  }

  @Test
  void aRequestWithoutTheSupportedVersionGetsPreconditionFailed() {
    var response =
        gateway.send("POST", "/_tus/", ACME_KEY, null, "Upload-Length", "10", TUS, "0.2.2");

    assertThat(response.statusCode()).isEqualTo(412);
    assertThat(response.headers().firstValue("Tus-Version")).contains("1.0.0");
    assertThat(gateway.rows("transfers")).isZero();
  }

  @Test
  void creationHeadPatchAndExpiryFollowTheCoreProtocol() {
    var created =
        gateway.send(
            "POST",
            "/_tus/",
            ACME_KEY,
            null,
            TUS,
            "1.0.0",
            "Upload-Length",
            "10",
            "Upload-Metadata",
            "filename " + b64("a.txt"));
    var location = created.headers().firstValue("Location").orElseThrow();

    var wrongOffset =
        gateway.send(
            "PATCH",
            location,
            ACME_KEY,
            "hello".getBytes(),
            TUS,
            "1.0.0",
            "Upload-Offset",
            "3",
            "Content-Type",
            OCTETS);
    var wrongType =
        gateway.send(
            "PATCH",
            location,
            ACME_KEY,
            "hello".getBytes(),
            TUS,
            "1.0.0",
            "Upload-Offset",
            "0",
            "Content-Type",
            "text/plain");
    var first =
        gateway.send(
            "PATCH",
            location,
            ACME_KEY,
            "hello".getBytes(),
            TUS,
            "1.0.0",
            "Upload-Offset",
            "0",
            "Content-Type",
            OCTETS);
    var head = gateway.send("HEAD", location, ACME_KEY, null, TUS, "1.0.0");
    var tooMuch =
        gateway.send(
            "PATCH",
            location,
            ACME_KEY,
            "world!".getBytes(),
            TUS,
            "1.0.0",
            "Upload-Offset",
            "5",
            "Content-Type",
            OCTETS);
    var otherTenant = gateway.send("HEAD", location, GLOBEX_KEY, null, TUS, "1.0.0");

    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(created.headers().firstValue("Upload-Expires")).isPresent();
    assertThat(created.headers().firstValue(TUS)).contains("1.0.0");
    assertThat(wrongOffset.statusCode()).isEqualTo(409);
    assertThat(wrongType.statusCode()).isEqualTo(415);
    assertThat(first.statusCode()).isEqualTo(204);
    assertThat(first.headers().firstValue("Upload-Offset")).contains("5");
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("Upload-Offset")).contains("5");
    assertThat(head.headers().firstValue("Upload-Length")).contains("10");
    assertThat(head.headers().firstValue("Upload-Metadata")).contains("filename " + b64("a.txt"));
    assertThat(head.headers().firstValue("Cache-Control")).contains("no-store");
    assertThat(tooMuch.statusCode()).isEqualTo(413);
    assertThat(otherTenant.statusCode()).isEqualTo(404);
  }

  @Test
  void aDeferredLengthUploadCreatedWithDataCompletesWhenTheLengthIsDeclared() {
    var created =
        gateway.send(
            "POST",
            "/_tus/",
            ACME_KEY,
            "hello ".getBytes(),
            TUS,
            "1.0.0",
            "Upload-Defer-Length",
            "1",
            "Content-Type",
            OCTETS,
            "Upload-Metadata",
            "target " + b64(target.url("/deferred")));
    var location = created.headers().firstValue("Location").orElseThrow();
    var head = gateway.send("HEAD", location, ACME_KEY, null, TUS, "1.0.0");

    var last =
        gateway.send(
            "PATCH",
            location,
            ACME_KEY,
            "world".getBytes(),
            TUS,
            "1.0.0",
            "Upload-Offset",
            "6",
            "Upload-Length",
            "11",
            "Content-Type",
            OCTETS);

    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(created.headers().firstValue("Upload-Offset")).contains("6");
    assertThat(head.headers().firstValue("Upload-Defer-Length")).contains("1");
    assertThat(last.statusCode()).as(last.body()).isEqualTo(204);
    assertThat(target.deliveries())
        .singleElement()
        .satisfies(
            d -> assertThat(d.body().toString(StandardCharsets.UTF_8)).isEqualTo("hello world"));
  }

  @Test
  void aWholeUploadSentWithItsCreationIsDeliveredAtOnce() {
    var created =
        gateway.send(
            "POST",
            "/_tus/",
            ACME_KEY,
            "all at once".getBytes(),
            TUS,
            "1.0.0",
            "Upload-Length",
            "11",
            "Content-Type",
            OCTETS,
            "Upload-Metadata",
            "target " + b64(target.url("/once")));

    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(created.headers().firstValue("Upload-Offset")).contains("11");
    assertThat(target.deliveries())
        .singleElement()
        .satisfies(
            d -> assertThat(d.body().toString(StandardCharsets.UTF_8)).isEqualTo("all at once"));
  }

  @Test
  void aChecksumMismatchIs460AndStoresNothingWhileAMatchingOneIsAccepted() throws Exception {
    var created =
        gateway.send("POST", "/_tus/", ACME_KEY, null, TUS, "1.0.0", "Upload-Length", "5");
    var location = created.headers().firstValue("Location").orElseThrow();
    var sha1 =
        Base64.getEncoder()
            .encodeToString(MessageDigest.getInstance("SHA-1").digest("hello".getBytes()));

    var mismatch =
        gateway.send(
            "PATCH",
            location,
            ACME_KEY,
            "hellO".getBytes(),
            TUS,
            "1.0.0",
            "Upload-Offset",
            "0",
            "Content-Type",
            OCTETS,
            "Upload-Checksum",
            "sha1 " + sha1);
    var unknown =
        gateway.send(
            "PATCH",
            location,
            ACME_KEY,
            "hello".getBytes(),
            TUS,
            "1.0.0",
            "Upload-Offset",
            "0",
            "Content-Type",
            OCTETS,
            "Upload-Checksum",
            "md4 " + sha1);
    long rowsAfterRejects = gateway.rows("transfer_chunks");
    var match =
        gateway.send(
            "PATCH",
            location,
            ACME_KEY,
            "hello".getBytes(),
            TUS,
            "1.0.0",
            "Upload-Offset",
            "0",
            "Content-Type",
            OCTETS,
            "Upload-Checksum",
            "sha1 " + sha1);

    assertThat(mismatch.statusCode()).isEqualTo(460);
    assertThat(mismatch.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(rowsAfterRejects).isZero();
    assertThat(match.statusCode()).isEqualTo(204);
  }

  @Test
  void terminationRemovesTheUploadAndItsData() {
    var created =
        gateway.send(
            "POST",
            "/_tus/",
            ACME_KEY,
            "abc".getBytes(),
            TUS,
            "1.0.0",
            "Upload-Length",
            "9",
            "Content-Type",
            OCTETS);
    var location = created.headers().firstValue("Location").orElseThrow();
    long filesBefore = gateway.files();

    var deleted = gateway.send("DELETE", location, ACME_KEY, null, TUS, "1.0.0");
    var head = gateway.send("HEAD", location, ACME_KEY, null, TUS, "1.0.0");

    assertThat(filesBefore).isEqualTo(1);
    assertThat(deleted.statusCode()).isEqualTo(204);
    assertThat(head.statusCode()).isEqualTo(404);
    assertThat(gateway.files()).isZero();
    assertThat(gateway.rows("transfers")).isZero();
  }

  @Test
  void aTusUploadIsTheSameKindOfTransferAsANativeOne() {
    var created =
        gateway.send(
            "POST",
            "/_tus/",
            ACME_KEY,
            "abc".getBytes(),
            TUS,
            "1.0.0",
            "Upload-Length",
            "9",
            "Content-Type",
            OCTETS);
    var id = created.headers().firstValue("Location").orElseThrow().substring("/_tus/".length());

    HttpResponse<String> status = gateway.send("GET", "/_transfers/" + id, ACME_KEY, null);

    assertThat(status.statusCode()).isEqualTo(200);
    assertThat(NativeTransferTest.json(status))
        .containsEntry("protocol", "tus")
        .containsEntry("receivedBytes", 3)
        .containsEntry("status", "OPEN");
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
