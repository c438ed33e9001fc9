package dev.crossgate.gateway.kit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.crossgate.tenant.TokenIssuer;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Keys generated in the test and JWTs signed with them (Nimbus; Ed25519 with the JDK's). */
public final class TestTokens {
  private TestTokens() {}

  public static RSAKey rsa(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public static ECKey ec(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An Ed25519 key pair made by the JDK (Nimbus's generator needs Google Tink). */
  public static OctetKeyPair ed25519(String kid) {
    try {
      var pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      var spki = pair.getPublic().getEncoded();
      var pkcs8 = pair.getPrivate().getEncoded();
      return new OctetKeyPair.Builder(
              Curve.Ed25519,
              Base64URL.encode(Arrays.copyOfRange(spki, spki.length - 32, spki.length)))
          .d(Base64URL.encode(Arrays.copyOfRange(pkcs8, pkcs8.length - 32, pkcs8.length)))
          .keyID(kid)
          .build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Claims of a token valid now for five minutes. */
  public static JWTClaimsSet.Builder claims(String issuer, String audience, String subject) {
    var now = Instant.now();
    return new JWTClaimsSet.Builder()
        .issuer(issuer)
        .audience(audience)
        .subject(subject)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(300)));
  }

  /** {@code claims} signed by {@code key} with the algorithm of its type; its kid in the header. */
  public static String sign(JWK key, JWTClaimsSet claims) {
    try {
      JWSAlgorithm algorithm;
      JWSSigner signer;
      if (key instanceof RSAKey rsa) {
        algorithm = JWSAlgorithm.RS256;
        signer = new RSASSASigner(rsa);
      } else if (key instanceof ECKey ec) {
        algorithm = JWSAlgorithm.ES256;
        signer = new ECDSASigner(ec);
      } else {
        algorithm = JWSAlgorithm.EdDSA;
        signer = new JdkEd25519Signer((OctetKeyPair) key);
      }
      var jwt =
          new SignedJWT(new JWSHeader.Builder(algorithm).keyID(key.getKeyID()).build(), claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An issuer of {@code tenant} named {@code name} whose keys are at {@code jwksUrl}. */
  public static TokenIssuer issuer(
      String tenant, String name, String issuer, String jwksUrl, Map<String, String> claims) {
    return issuer(tenant, name, issuer, jwksUrl, List.of(), false, claims);
  }

  /** An issuer whose keys are found through its OpenID configuration. */
  public static TokenIssuer discoveredIssuer(
      String tenant, String name, String issuer, Map<String, String> claims) {
    return issuer(tenant, name, issuer, null, List.of(), true, claims);
  }

  /** An issuer of {@code tenant} with {@code keys} registered inline (public parts only). */
  public static TokenIssuer inlineIssuer(String tenant, String name, String issuer, JWK... keys) {
    return issuer(
        tenant,
        name,
        issuer,
        null,
        Arrays.stream(keys).map(k -> k.toPublicJWK().toJSONObject()).toList(),
        false,
        Map.of("sub", "X-Caller-Sub"));
  }

  private static TokenIssuer issuer(
      String tenant,
      String name,
      String issuer,
      String jwksUrl,
      List<Map<String, Object>> keys,
      boolean discover,
      Map<String, String> claims) {
    return new TokenIssuer(
        null,
        tenant,
        name,
        issuer,
        List.of("crossgate"),
        jwksUrl,
        keys,
        discover,
        claims,
        TokenIssuer.DEFAULT_CLOCK_SKEW_SECONDS,
        "test",
        Instant.now(),
        Instant.now(),
        1);
  }

  private static final class JdkEd25519Signer implements JWSSigner {
    private final PrivateKey key;
    private final JCAContext context = new JCAContext();

    JdkEd25519Signer(OctetKeyPair jwk) {
      try {
        var prefix =
            new byte[] {
              0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
              0x04, 0x20
            };
        var d = jwk.getDecodedD();
        var encoded = Arrays.copyOf(prefix, prefix.length + d.length);
        System.arraycopy(d, 0, encoded, prefix.length, d.length);
        key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(encoded));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
      try {
        var signature = Signature.getInstance("Ed25519");
        signature.initSign(key);
        signature.update(signingInput);
        return Base64URL.encode(signature.sign());
      } catch (GeneralSecurityException e) {
        throw new JOSEException(e.getMessage(), e);
      }
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
      return Set.of(JWSAlgorithm.EdDSA);
    }

    @Override
    public JCAContext getJCAContext() {
      return context;
    }
  }
}
