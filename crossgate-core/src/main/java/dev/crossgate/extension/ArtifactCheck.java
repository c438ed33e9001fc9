package dev.crossgate.extension;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The checks every fetched WebAssembly module passes before it is stored or run: a size limit,
 * the registered SHA-256, and the WebAssembly magic number. Used by the registry when an
 * extension is written and by gateway nodes when they fetch the module.
 */
public final class ArtifactCheck {
  /** The largest module accepted; interpreter memory and compile time grow with it. */
  public static final int MAX_MODULE_BYTES = 4 * 1024 * 1024;
  private static final byte[] WASM_MAGIC = {0, 'a', 's', 'm'};

  private ArtifactCheck() {}

  /** Why {@code module} is not the artifact registered, or null when it is. */
  public static String problem(byte[] module, Extension.Artifact artifact) {
    if (module.length > MAX_MODULE_BYTES) {
      return "the module is larger than " + MAX_MODULE_BYTES + " bytes";
    }
    var actual = sha256(module);
    if (!actual.equals(artifact.sha256())) {
      return "the module's SHA-256 is " + actual + ", not the registered " + artifact.sha256();
    }
    if (module.length < 8 || module[0] != WASM_MAGIC[0] || module[1] != WASM_MAGIC[1] || module[2] != WASM_MAGIC[2]
        || module[3] != WASM_MAGIC[3]) {
      return "the artifact is not a WebAssembly module";
    }
    return null;
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
