package dev.crossgate.gateway.kit;

import dev.crossgate.tls.TestCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLSocket;

/**
 * One TLS handshake with the JDK's client, to see what a server offers (certificate, ALPN,
 * protocol).
 */
public final class TlsProbe {
  private TlsProbe() {}

  /** What the server chose. */
  public record Handshake(X509Certificate served, String applicationProtocol, String protocol) {
    public String subject() {
      return served.getSubjectX500Principal().getName();
    }
  }

  /**
   * Connects to 127.0.0.1:{@code port} trusting {@code caPem}, sending {@code serverName} as SNI
   * (none when null) and offering {@code alpn}; fails when the handshake fails.
   */
  public static Handshake handshake(int port, String serverName, String caPem, List<String> alpn) {
    var context = TestCertificates.sslContext(caPem, null);
    try (var socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
      var parameters = socket.getSSLParameters();
      parameters.setServerNames(
          serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
      parameters.setApplicationProtocols(alpn.toArray(String[]::new));
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      var session = socket.getSession();
      return new Handshake(
          (X509Certificate) session.getPeerCertificates()[0],
          socket.getApplicationProtocol(),
          session.getProtocol());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
