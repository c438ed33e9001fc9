package dev.crossgate.agent.transfer;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.zip.CRC32C;

/**
 * RFC 9530 digest field values ({@code sha-256=:…:}, {@code crc32c=:…:}) computed by the client.
 */
final class ChunkDigest {
  private final String algorithm;
  private final MessageDigest sha;
  private final CRC32C crc;

  private ChunkDigest(String algorithm) {
    this.algorithm = algorithm;
    if ("crc32c".equals(algorithm)) {
      this.sha = null;
      this.crc = new CRC32C();
    } else {
      try {
        this.sha = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JVM has SHA-256", e);
      }
      this.crc = null;
    }
  }

  static ChunkDigest start(String algorithm) {
    return new ChunkDigest(algorithm);
  }

  /** The digest of {@code data}'s remaining bytes; its position is left unchanged. */
  static String of(String algorithm, ByteBuffer data) {
    var digest = start(algorithm);
    digest.update(data);
    return digest.finish();
  }

  /** Feeds {@code data}'s remaining bytes; its position is left unchanged. */
  void update(ByteBuffer data) {
    if (sha != null) {
      sha.update(data.duplicate());
    } else {
      crc.update(data.duplicate());
    }
  }

  /** The field value; crc32c as 4 bytes, big-endian, as RFC 9530 registers it. */
  String finish() {
    byte[] value;
    if (sha != null) {
      value = sha.digest();
    } else {
      long v = crc.getValue();
      value = new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }
    return algorithm + "=:" + Base64.getEncoder().encodeToString(value) + ":";
  }
}
