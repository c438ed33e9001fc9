package dev.crossgate.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Set;

/**
 * Verifies EdDSA (Ed25519, RFC 8037) JWS signatures with the JDK's own Ed25519 (Java 15+). Nimbus's
 * {@code Ed25519Verifier} needs Google Tink, which Crossgate does not ship; this adapter does only
 * the signature step — parsing, headers and claims stay Nimbus's.
 */
final class Ed25519Verifier implements JWSVerifier {
  /** SubjectPublicKeyInfo prefix of an Ed25519 key (RFC 8410): the raw 32-byte key follows. */
  private static final byte[] SPKI_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };

  private final PublicKey key;
  private final JCAContext context = new JCAContext();

  Ed25519Verifier(OctetKeyPair jwk) throws JOSEException {
    if (!Curve.Ed25519.equals(jwk.getCurve())) {
      throw new JOSEException("only Ed25519 keys verify EdDSA here");
    }
    var raw = jwk.getDecodedX();
    var encoded = new byte[SPKI_PREFIX.length + raw.length];
    System.arraycopy(SPKI_PREFIX, 0, encoded, 0, SPKI_PREFIX.length);
    System.arraycopy(raw, 0, encoded, SPKI_PREFIX.length, raw.length);
    try {
      this.key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
    } catch (GeneralSecurityException e) {
      throw new JOSEException("not an Ed25519 public key", e);
    }
  }

  @Override
  public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature)
      throws JOSEException {
    if (!supportedJWSAlgorithms().contains(header.getAlgorithm())) {
      return false;
    }
    if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
      return false; // no critical extension is understood here (RFC 7515 section 4.1.11)
    }
    try {
      var verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(key);
      verifier.update(signingInput);
      return verifier.verify(signature.decode());
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  @Override
  public Set<JWSAlgorithm> supportedJWSAlgorithms() {
    return Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);
  }

  @Override
  public JCAContext getJCAContext() {
    return context;
  }
}
