package dev.crossgate.gateway.tls;

import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;

/**
 * The TLS implementation of a gateway's traffic listener and of its upstream clients (https
 * targets). OpenSSL is netty-tcnative's statically linked BoringSSL: the same protocol settings
 * ({@link ServerCertificates}), certificates and trust managers, but the handshake and record
 * encryption run in native code, for a little less CPU per request (3-12 %,
 * bench/proxy/RESULTS.md).
 */
public enum TlsEngine {
  OPENSSL,
  JDK;

  /** {@code -Dcrossgate.openssl=false} keeps the JDK's engine even where OpenSSL loads. */
  public static final String PROPERTY = "crossgate.openssl";

  /**
   * OpenSSL when its native library loads on this machine (Linux x86-64) and {@link #PROPERTY} is
   * not {@code false}; the JDK's engine otherwise.
   */
  public static TlsEngine chosen() {
    return !"false".equals(System.getProperty(PROPERTY)) && OpenSSLEngineOptions.isAvailable()
        ? OPENSSL
        : JDK;
  }

  /** Why OpenSSL did not load, or null when it did. */
  public static Throwable openSslUnavailableCause() {
    return io.netty.handler.ssl.OpenSsl.unavailabilityCause();
  }

  /**
   * Whether this engine is given {@code cipherSuite} to offer. BoringSSL has no finite-field DHE:
   * named to it, the {@code TLS_DHE_*} suites do not fail the context but stall a handshake that
   * asks for a client certificate until it times out, so OpenSSL is given the ECDHE ones only.
   */
  public boolean offers(String cipherSuite) {
    return this == JDK || !cipherSuite.startsWith("TLS_DHE_");
  }

  /** The Vert.x options that select this engine (a new object: Vert.x options are mutable). */
  public SSLEngineOptions options() {
    return switch (this) {
      case OPENSSL -> new OpenSSLEngineOptions();
      case JDK -> new JdkSSLEngineOptions();
    };
  }

  /** The name in log lines: {@code openssl} or {@code jdk}. */
  public String logName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
