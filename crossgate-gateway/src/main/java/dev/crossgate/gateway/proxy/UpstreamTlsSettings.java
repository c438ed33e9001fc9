package dev.crossgate.gateway.proxy;

import dev.crossgate.route.Route;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLException;

/**
 * A route's {@code tls} settings applied to an upstream request. Vert.x keys its connection pools
 * by the request's {@link ClientSSLOptions} as well as by host and port, so routes with different
 * CAs or client certificates toward one origin never share a connection; routes with equal settings
 * share one options object (cached here, per event loop) and so one pool.
 *
 * <p>Also names why a handshake with an upstream failed, for the 502's {@code detail}.
 */
final class UpstreamTlsSettings {
  private static final int CACHE_LIMIT = 10_000;

  private final Map<Route.UpstreamTls, ClientSSLOptions> options = new HashMap<>();

  /**
   * Sets {@code request}'s TLS options from the route's, when it has some and the target is https.
   */
  void apply(RequestOptions request, UpstreamTarget target, Route.UpstreamTls tls) {
    if (!target.ssl() || tls == null) {
      return;
    }
    request.setSslOptions(options(tls));
    if (tls.serverName() != null) {
      // connect to the target's address, but send and verify the configured name (SNI, Host)
      request
          .setServer(SocketAddress.inetSocketAddress(target.port(), target.host()))
          .setHost(tls.serverName());
    }
  }

  private ClientSSLOptions options(Route.UpstreamTls tls) {
    var cached = options.get(tls);
    if (cached == null) {
      if (options.size() >= CACHE_LIMIT) {
        options.clear();
      }
      cached =
          new ClientSSLOptions()
              .setHostnameVerificationAlgorithm(tls.verifyHostname() ? "HTTPS" : "");
      if (tls.caPem() != null) {
        cached.setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(tls.caPem())));
      }
      if (tls.clientCertPem() != null) {
        cached.setKeyCertOptions(
            new PemKeyCertOptions()
                .setCertValue(Buffer.buffer(tls.clientCertPem()))
                .setKeyValue(Buffer.buffer(tls.clientKeyPem())));
      }
      options.put(tls, cached);
    }
    return cached;
  }

  /**
   * The reason class of a failed TLS handshake with an upstream ({@code certificate not trusted},
   * {@code hostname mismatch}, {@code handshake failed}), or null when {@code cause} is not one.
   */
  static String failure(Throwable cause) {
    boolean tls = false;
    for (var t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      var message = String.valueOf(t.getMessage());
      // the JDK's hostname check (sun.security.util.HostnameChecker) words both of its refusals so
      if (message.contains("No subject alternative") || message.contains("No name matching")) {
        return "hostname mismatch";
      }
      if (t instanceof CertPathBuilderException
          || t instanceof CertPathValidatorException
          || message.contains("PKIX path")
          || message.contains("unable to find valid certification path")) {
        return "certificate not trusted";
      }
      tls |= t instanceof SSLException;
    }
    return tls ? "handshake failed" : null;
  }
}
