package dev.crossgate.digest;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The digest algorithms a transfer accepts, named as in the IANA "Hash Algorithms for HTTP Digest
 * Fields" registry (RFC 9530 section 5): sha-256 is required, crc32c is allowed for chunks where a
 * cheap integrity check suffices. tus names them without the dash.
 */
public enum DigestAlgorithm {
  SHA_256("sha-256", "sha256"),
  SHA_1("sha1", "sha1"),
  CRC32C("crc32c", "crc32c");

  private final String fieldName;
  private final String tusName;

  DigestAlgorithm(String fieldName, String tusName) {
    this.fieldName = fieldName;
    this.tusName = tusName;
  }

  /** The key in {@code Content-Digest} / {@code Repr-Digest}. */
  public String fieldName() {
    return fieldName;
  }

  public String tusName() {
    return tusName;
  }

  /** Algorithms RFC 9530 fields may use here (sha1 is only for tus's Upload-Checksum). */
  public static Optional<DigestAlgorithm> byFieldName(String name) {
    return Arrays.stream(values()).filter(a -> a != SHA_1 && a.fieldName.equals(name)).findFirst();
  }

  public static Optional<DigestAlgorithm> byTusName(String name) {
    return Arrays.stream(values()).filter(a -> a.tusName.equals(name)).findFirst();
  }

  /** A fresh running digest. Not thread-safe; one owner at a time. */
  public Running start() {
    if (this == CRC32C) {
      var crc = new CRC32C();
      return new Running() {
        @Override
        public void update(ByteBuffer data) {
          crc.update(data);
        }

        @Override
        public byte[] finish() {
          long v = crc.getValue();
          return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        }
      };
    }
    try {
      var md = MessageDigest.getInstance(this == SHA_256 ? "SHA-256" : "SHA-1");
      return new Running() {
        @Override
        public void update(ByteBuffer data) {
          md.update(data);
        }

        @Override
        public byte[] finish() {
          return md.digest();
        }
      };
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has " + this, e);
    }
  }

  public byte[] digest(ByteBuffer data) {
    var running = start();
    running.update(data);
    return running.finish();
  }

  /** A digest being computed over consecutive pieces of data. */
  public interface Running {
    void update(ByteBuffer data);

    /** The digest (crc32c as 4 bytes, big-endian, as RFC 9530 asks). */
    byte[] finish();
  }
}
