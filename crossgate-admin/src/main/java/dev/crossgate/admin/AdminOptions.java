package dev.crossgate.admin;

/**
 * Settings of the Admin API server.
 *
 * @param maxBodyBytes largest accepted request body (413 above)
 * @param maxHeaderBytes largest request header block (431 above)
 * @param tlsCertPath PEM certificate chain; with {@code tlsKeyPath}, the port speaks HTTPS (and the
 *     cluster stream WSS); null for plain HTTP
 * @param tlsKeyPath PEM private key of {@code tlsCertPath}
 * @param h2c accept cleartext HTTP/2 (prior knowledge and {@code Upgrade: h2c}); off by default so
 *     that a proxy in front cannot be used to tunnel HTTP/2 past its own per-request checks
 * @param console serve the web console under {@code /console/}; off on a gateway node's admin port
 */
public record AdminOptions(
    String bind,
    int port,
    long maxBodyBytes,
    int maxHeaderBytes,
    String tlsCertPath,
    String tlsKeyPath,
    boolean h2c,
    boolean console) {
  public static final long DEFAULT_MAX_BODY = 1024 * 1024;

  public AdminOptions {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535");
    }
    if ((tlsCertPath == null) != (tlsKeyPath == null)) {
      throw new IllegalArgumentException("TLS needs both a certificate and a key");
    }
  }

  /** Options with the console, without cleartext HTTP/2. */
  public AdminOptions(
      String bind,
      int port,
      long maxBodyBytes,
      int maxHeaderBytes,
      String tlsCertPath,
      String tlsKeyPath) {
    this(bind, port, maxBodyBytes, maxHeaderBytes, tlsCertPath, tlsKeyPath, false, true);
  }

  public AdminOptions withH2c(boolean enabled) {
    return new AdminOptions(
        bind, port, maxBodyBytes, maxHeaderBytes, tlsCertPath, tlsKeyPath, enabled, console);
  }

  /** These options without the web console: the port answers the Admin API only. */
  public AdminOptions withoutConsole() {
    return new AdminOptions(
        bind, port, maxBodyBytes, maxHeaderBytes, tlsCertPath, tlsKeyPath, h2c, false);
  }

  public boolean tls() {
    return tlsCertPath != null;
  }

  public static AdminOptions of(String bind, int port) {
    return new AdminOptions(bind, port, DEFAULT_MAX_BODY, 16 * 1024, null, null);
  }
}
