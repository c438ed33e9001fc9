package dev.crossgate.gateway.auth;

import io.vertx.core.http.HttpServerRequest;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.security.auth.x500.X500Principal;

/**
 * The client certificate a request's TLS connection presented. Vert.x exposes it only after the
 * handshake verified it against the traffic port's client CA, so whatever this returns chains to a
 * CA the operator trusts; which tenant it is, if any, is the registrations' business.
 */
public final class PeerCertificate {
  /**
   * The header a route that asks for it receives the verified subject in (RFC 2253); never taken
   * from a client.
   */
  public static final String SUBJECT_HEADER = "X-Client-Cert-Subject";

  private PeerCertificate() {}

  /** The verified client certificate, or null on cleartext or when the client sent none. */
  public static X509Certificate of(HttpServerRequest request) {
    var connection = request.connection();
    if (connection == null || !connection.isSsl()) {
      return null;
    }
    try {
      var chain = connection.peerCertificates();
      return chain == null || chain.isEmpty() || !(chain.get(0) instanceof X509Certificate x509)
          ? null
          : x509;
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }

  /** The verified client certificate's subject (RFC 2253), or null. */
  public static String subject(HttpServerRequest request) {
    var peer = of(request);
    return peer == null ? null : peer.getSubjectX500Principal().getName(X500Principal.RFC2253);
  }
}
