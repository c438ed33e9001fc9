package dev.crossgate.transfer;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import java.util.zip.CRC32C;

/** Test data: deterministic random files, their chunks and RFC 9530 digests. */
final class Chunks {
  private Chunks() {}

  static byte[] randomBytes(int size, long seed) {
    var bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  static byte[] chunk(byte[] file, int chunkSize, int number) {
    int from = number * chunkSize;
    return Arrays.copyOfRange(file, from, Math.min(file.length, from + chunkSize));
  }

  static String sha256(byte[] data) {
    try {
      return "sha-256=:"
          + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(data))
          + ":";
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String crc32c(byte[] data) {
    var crc = new CRC32C();
    crc.update(data);
    long v = crc.getValue();
    var bytes = new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    return "crc32c=:" + Base64.getEncoder().encodeToString(bytes) + ":";
  }

  static String descriptor(String taskId, long chunkSize, long totalSize, String extra) {
    long count = (totalSize + chunkSize - 1) / chunkSize;
    return "{\"taskId\":\""
        + taskId
        + "\",\"chunkSize\":"
        + chunkSize
        + ",\"chunkCount\":"
        + count
        + ",\"totalSize\":"
        + totalSize
        + ",\"digest\":\"sha-256\""
        + (extra.isEmpty() ? "" : "," + extra)
        + "}";
  }
}
