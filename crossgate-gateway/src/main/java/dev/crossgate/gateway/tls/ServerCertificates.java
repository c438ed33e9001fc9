package dev.crossgate.gateway.tls;

import dev.crossgate.gateway.config.TrafficTls;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import javax.net.ssl.X509KeyManager;

/**
 * The traffic port's TLS settings as read from the operator's PEM files at one moment: every
 * certificate/key pair checked (both parse, the key is the certificate's), then turned into the
 * {@link ServerSSLOptions} Vert.x serves with. Reading is blocking: call it on a worker thread.
 *
 * <p>The protocol settings are fixed: TLS 1.2 and 1.3 only; the cipher suites of Mozilla's
 * "intermediate" profile (server-side-tls guidelines v5.7: AEAD suites with forward secrecy; with
 * OpenSSL less the finite-field DHE ones, see {@link TlsEngine#offers}); ALPN offers {@code h2}
 * then {@code http/1.1}; SNI picks a pair by the client's server name.
 */
public final class ServerCertificates {
  /**
   * Mozilla "intermediate": the TLS 1.3 suites, then the TLS 1.2 ECDHE/DHE AEAD suites, in its
   * order.
   */
  static final List<String> CIPHER_SUITES =
      List.of(
          "TLS_AES_128_GCM_SHA256",
          "TLS_AES_256_GCM_SHA384",
          "TLS_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  /** The ALPN offer, most preferred first. */
  public static final List<HttpVersion> ALPN = List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1);

  private final List<byte[]> files;
  private final ServerSSLOptions sslOptions;

  private ServerCertificates(List<byte[]> files, ServerSSLOptions sslOptions) {
    this.files = files;
    this.sslOptions = sslOptions;
  }

  /**
   * Reads and checks the files {@code tls} names, for serving with {@code engine}. Blocking.
   *
   * @throws IllegalArgumentException naming the file when one cannot be read, does not parse, or a
   *     key is not its certificate's
   */
  public static ServerCertificates load(Vertx vertx, TrafficTls tls, TlsEngine engine) {
    var files = new ArrayList<byte[]>();
    var keyCerts = new PemKeyCertOptions();
    for (var pair : tls.pairs()) {
      var cert = read(pair.cert());
      var key = read(pair.key());
      files.add(cert);
      files.add(key);
      checkPair(vertx, pair, Buffer.buffer(cert), Buffer.buffer(key));
      keyCerts.addCertValue(Buffer.buffer(cert)).addKeyValue(Buffer.buffer(key));
    }
    var ssl =
        new ServerSSLOptions()
            .setKeyCertOptions(keyCerts)
            .setSni(true)
            .setUseAlpn(true)
            .setApplicationLayerProtocols(ALPN.stream().map(HttpVersion::alpnName).toList())
            .setEnabledSecureTransportProtocols(PROTOCOLS)
            .setClientAuth(
                switch (tls.clientAuth()) {
                  case NONE -> ClientAuth.NONE;
                  case REQUEST -> ClientAuth.REQUEST;
                  case REQUIRED -> ClientAuth.REQUIRED;
                });
    CIPHER_SUITES.stream().filter(engine::offers).forEach(ssl::addEnabledCipherSuite);
    if (tls.clientCa() != null) {
      var ca = read(tls.clientCa());
      files.add(ca);
      ssl.setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(ca)));
    }
    return new ServerCertificates(List.copyOf(files), ssl);
  }

  /** The options to serve with (a copy: Vert.x options are mutable). */
  public ServerSSLOptions sslOptions() {
    return sslOptions.copy();
  }

  /**
   * Whether the files {@code tls} names still hold what these settings were read from. Blocking.
   */
  public boolean sameFiles(TrafficTls tls) {
    var now = new ArrayList<byte[]>();
    for (var pair : tls.pairs()) {
      now.add(read(pair.cert()));
      now.add(read(pair.key()));
    }
    if (tls.clientCa() != null) {
      now.add(read(tls.clientCa()));
    }
    if (now.size() != files.size()) {
      return false;
    }
    for (int i = 0; i < files.size(); i++) {
      if (!Arrays.equals(files.get(i), now.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Both parse and the key signs what the certificate's public key verifies. */
  private static void checkPair(Vertx vertx, TrafficTls.Pair pair, Buffer cert, Buffer key) {
    try {
      var options = new PemKeyCertOptions().setCertValue(cert).setKeyValue(key);
      var keyManager = (X509KeyManager) options.getKeyManagerFactory(vertx).getKeyManagers()[0];
      var aliases = options.loadKeyStore(vertx).aliases();
      while (aliases.hasMoreElements()) {
        var alias = aliases.nextElement();
        var chain = keyManager.getCertificateChain(alias);
        if (chain == null
            || chain.length == 0
            || !matches(keyManager.getPrivateKey(alias), chain[0])) {
          throw new IllegalArgumentException(
              "the key " + pair.key() + " is not the key of the certificate " + pair.cert());
        }
      }
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalArgumentException(
          "the certificate "
              + pair.cert()
              + " or its key "
              + pair.key()
              + " is not valid PEM: "
              + e.getMessage(),
          e);
    }
  }

  private static boolean matches(PrivateKey key, X509Certificate cert) throws Exception {
    var algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          default -> key.getAlgorithm(); // EdDSA, Ed25519, Ed448 name their own signature
        };
    var challenge = new byte[32];
    new SecureRandom().nextBytes(challenge);
    var signer = Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(challenge);
    var signature = signer.sign();
    var verifier = Signature.getInstance(algorithm);
    verifier.initVerify(cert.getPublicKey());
    verifier.update(challenge);
    return verifier.verify(signature);
  }
}
