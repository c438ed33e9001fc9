package dev.crossgate.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made at test time (never a committed private key): a CA, server certificates with
 * subject alternative names, client certificates. EC P-256 keys, quick to generate. Every module's
 * tests use it through core's test-jar.
 *
 * <pre>{@code
 * var ca = TestCertificates.authority("Test CA");
 * var server = ca.server("api.example.test", "127.0.0.1").write(dir, "server");
 * // server.cert(), server.key(): PEM files for --gateway-tls-cert/--gateway-tls-key
 * }</pre>
 */
public final class TestCertificates {
  private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

  private TestCertificates() {}

  /** A new self-signed certificate authority named {@code CN=commonName}. */
  public static Authority authority(String commonName) {
    var keys = keyPair();
    var name = name("CN=" + commonName);
    var certificate =
        sign(
            name,
            keys,
            name,
            keys,
            builder -> {
              builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
              builder.addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            });
    return new Authority(
        name,
        keys,
        new Issued(
            certificate,
            pem("CERTIFICATE", encoded(certificate)),
            pem("PRIVATE KEY", keys.getPrivate().getEncoded())));
  }

  /** A certificate authority and what it signs. */
  public static final class Authority {
    private final X500Name name;
    private final KeyPair keys;
    private final Issued self;

    private Authority(X500Name name, KeyPair keys, Issued self) {
      this.name = name;
      this.keys = keys;
      this.self = self;
    }

    /** The CA's own certificate (PEM), what a client or server trusts. */
    public String certPem() {
      return self.certPem();
    }

    /** Writes the CA certificate to {@code dir/<name>.pem}. */
    public Path writeCert(Path dir, String fileName) {
      return write(dir.resolve(fileName + ".pem"), certPem());
    }

    /**
     * A server certificate ({@code CN} = the first name) whose subject alternative names are {@code
     * names}: IP literals as IP addresses, the others as DNS names.
     */
    public Issued server(String... names) {
      var subject = name("CN=" + names[0]);
      var leaf = keyPair();
      var certificate =
          sign(
              subject,
              leaf,
              name,
              keys,
              builder -> {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                builder.addExtension(
                    Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                builder.addExtension(
                    Extension.extendedKeyUsage,
                    false,
                    new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
                var alternatives = new ArrayList<GeneralName>();
                for (var n : names) {
                  alternatives.add(
                      n.matches("[0-9.]+|.*:.*")
                          ? new GeneralName(GeneralName.iPAddress, n)
                          : new GeneralName(GeneralName.dNSName, n));
                }
                builder.addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(alternatives.toArray(GeneralName[]::new)));
              });
      return new Issued(
          certificate,
          pem("CERTIFICATE", encoded(certificate)),
          pem("PRIVATE KEY", leaf.getPrivate().getEncoded()));
    }

    /** A client certificate whose subject is {@code subject}, e.g. {@code CN=billing,O=Acme}. */
    public Issued client(String subject) {
      var leaf = keyPair();
      var certificate =
          sign(
              name(subject),
              leaf,
              name,
              keys,
              builder -> {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                builder.addExtension(
                    Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                builder.addExtension(
                    Extension.extendedKeyUsage,
                    false,
                    new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
              });
      return new Issued(
          certificate,
          pem("CERTIFICATE", encoded(certificate)),
          pem("PRIVATE KEY", leaf.getPrivate().getEncoded()));
    }
  }

  /** A certificate and its private key, both PEM (the key PKCS#8). */
  public record Issued(X509Certificate certificate, String certPem, String keyPem) {
    /** Writes {@code dir/<name>.crt} and {@code dir/<name>.key}. */
    public PemFiles write(Path dir, String fileName) {
      return new PemFiles(
          TestCertificates.write(dir.resolve(fileName + ".crt"), certPem),
          TestCertificates.write(dir.resolve(fileName + ".key"), keyPem));
    }
  }

  /** Where {@link Issued#write} put the certificate and the key. */
  public record PemFiles(Path cert, Path key) {}

  /**
   * A JDK TLS context that trusts {@code trustedCaPem} only and, when {@code client} is not null,
   * presents that certificate when a server asks for one.
   */
  public static SSLContext sslContext(String trustedCaPem, Issued client) {
    try {
      var trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      int i = 0;
      for (var cert :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(
                  new ByteArrayInputStream(trustedCaPem.getBytes(StandardCharsets.US_ASCII)))) {
        trust.setCertificateEntry("ca" + i++, cert);
      }
      var trustManagers =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trustManagers.init(trust);
      KeyManager[] keyManagers = null;
      if (client != null) {
        var keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        var der =
            Base64.getMimeDecoder()
                .decode(
                    client
                        .keyPem()
                        .replace("-----BEGIN PRIVATE KEY-----", "")
                        .replace("-----END PRIVATE KEY-----", ""));
        var key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        keys.setKeyEntry("client", key, new char[0], new Certificate[] {client.certificate()});
        var factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, new char[0]);
        keyManagers = factory.getKeyManagers();
      }
      var context = SSLContext.getInstance("TLS");
      context.init(keyManagers, trustManagers.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("could not build a test TLS context", e);
    }
  }

  private interface Extensions {
    void add(JcaX509v3CertificateBuilder builder) throws IOException;
  }

  private static X509Certificate sign(
      X500Name subject,
      KeyPair subjectKeys,
      X500Name issuer,
      KeyPair issuerKeys,
      Extensions extensions) {
    var now = Instant.now();
    try {
      var builder =
          new JcaX509v3CertificateBuilder(
              issuer,
              BigInteger.valueOf(SERIAL.incrementAndGet()),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(Duration.ofDays(2))),
              subject,
              subjectKeys.getPublic());
      extensions.add(builder);
      var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate());
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    } catch (IOException
        | GeneralSecurityException
        | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException("could not make a test certificate", e);
    }
  }

  /**
   * {@code dn} read as RFC 4514 text (most significant RDN last), as the JDK and OpenSSL read it.
   */
  private static X500Name name(String dn) {
    return X500Name.getInstance(new X500Principal(dn).getEncoded());
  }

  private static KeyPair keyPair() {
    try {
      var generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    var body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static Path write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      return Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
