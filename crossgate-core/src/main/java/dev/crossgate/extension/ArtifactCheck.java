package dev.crossgate.extension;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Fetching and checking a registered WebAssembly module: a size limit, the registered SHA-256,
 * and the WebAssembly magic number. The registry checks when an extension is written (so a tenant
 * learns of a bad artifact at once); gateway nodes check again whatever they fetch or read from
 * their cache directory before running it.
 */
public final class ArtifactCheck {
  /** The largest module accepted; interpreter memory and parse time grow with it. */
  public static final int MAX_MODULE_BYTES = 4 * 1024 * 1024;
  private static final byte[] WASM_MAGIC = {0, 'a', 's', 'm'};

  private ArtifactCheck() {}

  /** A module that could not be fetched or is not the artifact registered; the message is safe to show. */
  public static final class BadArtifactException extends Exception {
    private static final long serialVersionUID = 1L;

    public BadArtifactException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Fetches {@code artifact} over HTTP and checks it. Blocking: call from a worker thread.
   *
   * @throws BadArtifactException when it cannot be fetched, is too large, or does not match
   */
  public static byte[] fetch(HttpClient http, Extension.Artifact artifact, Duration timeout)
      throws BadArtifactException {
    try {
      var response = http.send(HttpRequest.newBuilder(URI.create(artifact.url())).timeout(timeout).GET().build(),
          HttpResponse.BodyHandlers.ofInputStream());
      byte[] module;
      try (var body = response.body()) {
        if (response.statusCode() != 200) {
          throw new BadArtifactException("fetching " + artifact.url() + " answered " + response.statusCode());
        }
        // one byte over the limit is enough to refuse an oversized module without holding it all
        module = body.readNBytes(MAX_MODULE_BYTES + 1);
      }
      verify(module, artifact);
      return module;
    } catch (IOException e) {
      throw new BadArtifactException("could not be fetched from " + artifact.url() + ": " + e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BadArtifactException("fetching " + artifact.url() + " was interrupted");
    }
  }

  /** Checks size, digest and magic number of {@code module} against {@code artifact}. */
  public static void verify(byte[] module, Extension.Artifact artifact) throws BadArtifactException {
    if (module.length > MAX_MODULE_BYTES) {
      throw new BadArtifactException("the module is larger than " + MAX_MODULE_BYTES + " bytes");
    }
    var actual = sha256(module);
    if (!actual.equals(artifact.sha256())) {
      throw new BadArtifactException("the module's SHA-256 is " + actual + ", not the registered " + artifact.sha256());
    }
    if (module.length < 8 || module[0] != WASM_MAGIC[0] || module[1] != WASM_MAGIC[1] || module[2] != WASM_MAGIC[2]
        || module[3] != WASM_MAGIC[3]) {
      throw new BadArtifactException("the artifact is not a WebAssembly module");
    }
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
