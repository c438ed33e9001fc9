package dev.crossgate.route;

import dev.crossgate.problem.FieldError;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Checks a route's {@code tls} settings: PEM that parses, a client certificate with its key, https
 * only.
 */
final class UpstreamTlsCheck {
  private static final Pattern SERVER_NAME =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");

  private UpstreamTlsCheck() {}

  /** The validated settings, or null when none were given; problems go to {@code errors}. */
  static Route.UpstreamTls validate(
      List<FieldError> errors, RouteSpec.TlsSpec spec, String targetUrl) {
    if (spec == null) {
      return null;
    }
    if (targetUrl != null && !targetUrl.toLowerCase(Locale.ROOT).startsWith("https://")) {
      errors.add(new FieldError("tls", "applies to https targets only"));
    }
    var ca = blankToNull(spec.caPem());
    if (ca != null && certificates(ca) == 0) {
      errors.add(
          new FieldError("tls.caPem", "must be PEM certificate(s) (-----BEGIN CERTIFICATE-----)"));
    }
    var serverName = blankToNull(spec.serverName());
    if (serverName != null && !SERVER_NAME.matcher(serverName).matches()) {
      errors.add(new FieldError("tls.serverName", "must be a host name such as api.internal"));
    }
    var clientCert = blankToNull(spec.clientCertPem());
    var clientKey = blankToNull(spec.clientKeyPem());
    if ((clientCert == null) != (clientKey == null)) {
      errors.add(
          new FieldError(
              clientCert == null ? "tls.clientCertPem" : "tls.clientKeyPem",
              "a client certificate needs its key, and a key its certificate"));
    }
    if (clientCert != null && certificates(clientCert) == 0) {
      errors.add(new FieldError("tls.clientCertPem", "must be a PEM certificate chain"));
    }
    if (clientKey != null && !clientKey.contains("-----BEGIN PRIVATE KEY-----")) {
      errors.add(
          new FieldError(
              "tls.clientKeyPem", "must be a PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----)"));
    }
    return new Route.UpstreamTls(
        ca, !Boolean.FALSE.equals(spec.verifyHostname()), serverName, clientCert, clientKey);
  }

  private static int certificates(String pem) {
    try {
      return CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
          .size();
    } catch (CertificateException e) {
      return 0;
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
