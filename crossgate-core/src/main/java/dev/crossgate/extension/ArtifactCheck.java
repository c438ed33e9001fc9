package dev.crossgate.extension;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Checking a registered WebAssembly module: a size limit, the registered SHA-256, and the
 * WebAssembly magic number. The registry checks when an extension is written (so a tenant learns of
 * a bad artifact at once); gateway nodes check again whatever they fetch or read from their cache
 * directory before running it. Fetching is the caller's (through the egress policy).
 *
 * <p>Messages never describe what was fetched beyond "not the registered module": a digest or a
 * status of a fetched answer would let a tenant read internal responses one hash at a time.
 */
public final class ArtifactCheck {
  /** The largest module accepted; interpreter memory and parse time grow with it. */
  public static final int MAX_MODULE_BYTES = 4 * 1024 * 1024;

  private static final byte[] WASM_MAGIC = {0, 'a', 's', 'm'};

  private ArtifactCheck() {}

  /**
   * A module that could not be fetched or is not the artifact registered; the message is safe to
   * show.
   */
  public static final class BadArtifactException extends Exception {
    private static final long serialVersionUID = 1L;

    public BadArtifactException(String message) {
      super(message, null, false, false);
    }
  }

  /** Checks size, digest and magic number of {@code module} against {@code artifact}. */
  public static void verify(byte[] module, Extension.Artifact artifact)
      throws BadArtifactException {
    if (module.length > MAX_MODULE_BYTES) {
      throw new BadArtifactException("the module is larger than " + MAX_MODULE_BYTES + " bytes");
    }
    var actual = sha256(module);
    if (!actual.equals(artifact.sha256())) {
      throw new BadArtifactException(
          "the module does not match the registered SHA-256 " + artifact.sha256());
    }
    if (module.length < 8
        || module[0] != WASM_MAGIC[0]
        || module[1] != WASM_MAGIC[1]
        || module[2] != WASM_MAGIC[2]
        || module[3] != WASM_MAGIC[3]) {
      throw new BadArtifactException("the artifact is not a WebAssembly module");
    }
  }

  /**
   * The one message for an artifact that could not be fetched, whatever the reason (logged apart).
   */
  public static BadArtifactException unfetchable(Extension.Artifact artifact) {
    return new BadArtifactException(
        "could not be fetched from "
            + artifact.url()
            + " (an answer other than 200 with the module, a redirect, or no answer)");
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
