package dev.crossgate.gateway.kit;

import dev.crossgate.tls.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLSocket;

/**
 * One TLS handshake with the JDK's client, to see what a server offers (certificate, ALPN,
 * protocol); or one hand-made ClientHello, to see whether a server agrees to what it offers.
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

  /** The first record a server answered a hand-made ClientHello with. */
  public enum HelloAnswer {
    /** A ServerHello: the server agreed to go on. */
    SERVER_HELLO,
    /** An alert: refused (RFC 8446 §6, RFC 5246 §7.2). */
    ALERT,
    /** No answer: the connection was closed or reset. */
    CLOSED
  }

  /**
   * Sends a ClientHello made by hand, with {@code legacyVersion} (0x0301 for TLS 1.0 to 0x0303 for
   * TLS 1.2; no supported_versions extension, so TLS 1.3 is not offered) and only {@code
   * cipherSuites} (IANA code points), plus the extensions an ECDSA P-256 server needs (RFC 8422
   * groups and point formats, RFC 5246 §7.4.1.4.1 signature algorithms); reads the first record of
   * the answer. Made by hand because the JDK's client will not offer TLS 1.0/1.1 or weak suites.
   */
  public static HelloAnswer clientHello(int port, int legacyVersion, int... cipherSuites) {
    var body = new ByteArrayOutputStream();
    u16(body, legacyVersion);
    body.writeBytes(new byte[32]); // random: what the server answers does not depend on it
    body.write(0); // no session id
    u16(body, cipherSuites.length * 2);
    for (int suite : cipherSuites) {
      u16(body, suite);
    }
    body.write(1); // one compression method: none
    body.write(0);
    var extensions = new ByteArrayOutputStream();
    extension(extensions, 0x000a, u16s(0x0004, 0x0017, 0x001d)); // groups: secp256r1, x25519
    extension(extensions, 0x000b, new byte[] {1, 0}); // ec_point_formats: uncompressed
    extension(extensions, 0x000d, u16s(0x0006, 0x0403, 0x0804, 0x0401)); // signature_algorithms
    u16(body, extensions.size());
    body.writeBytes(extensions.toByteArray());
    var record = new ByteArrayOutputStream();
    record.write(0x16); // handshake
    u16(record, 0x0301);
    u16(record, body.size() + 4);
    record.write(0x01); // client_hello
    record.write(0);
    u16(record, body.size());
    record.writeBytes(body.toByteArray());
    try (var socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(record.toByteArray());
      var in = new DataInputStream(socket.getInputStream());
      var header = new byte[6];
      try {
        in.readFully(header);
      } catch (EOFException | SocketException e) {
        return HelloAnswer.CLOSED;
      }
      if (header[0] == 0x15) {
        return HelloAnswer.ALERT;
      }
      if (header[0] == 0x16 && header[5] == 0x02) {
        return HelloAnswer.SERVER_HELLO;
      }
      throw new IllegalStateException("unexpected first record type " + header[0]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void extension(ByteArrayOutputStream out, int type, byte[] data) {
    u16(out, type);
    u16(out, data.length);
    out.writeBytes(data);
  }

  private static byte[] u16s(int... values) {
    var out = new ByteArrayOutputStream();
    for (int value : values) {
      u16(out, value);
    }
    return out.toByteArray();
  }

  private static void u16(ByteArrayOutputStream out, int value) {
    out.write(value >>> 8);
    out.write(value & 0xff);
  }
}
