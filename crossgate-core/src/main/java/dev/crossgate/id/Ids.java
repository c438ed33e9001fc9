package dev.crossgate.id;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Unguessable identifiers: 128 random bits from {@link SecureRandom}, base64url without padding (22
 * characters), behind a short prefix that names the kind ({@code rt_}, {@code tk_}).
 */
public final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private Ids() {}

  public static String random(String prefix) {
    return prefix + randomToken(16);
  }

  /** {@code bytes} random bytes, base64url: for secrets such as tokens and API keys. */
  public static String randomToken(int bytes) {
    var buf = new byte[bytes];
    RANDOM.nextBytes(buf);
    return ENCODER.encodeToString(buf);
  }
}
