package dev.crossgate.gateway.auth;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.crossgate.egress.EgressPolicy;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.GatewayServices;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.kit.IssuerServer;
import dev.crossgate.gateway.kit.TestTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Callers with a JWT of an issuer their tenant registered, end to end over loopback: keys generated
 * here, the key set served by a local issuer (loopback allowed by the egress policy, as an operator
 * would allow an internal identity provider), a recording upstream behind a JWT route.
 */
class JwtCallerTest {
  private static final Map<String, String> CLAIMS =
      Map.of("sub", "X-Caller-Sub", "email", "X-Caller-Email");

  private GatewayKit kit;
  private IssuerServer idp;
  private final RSAKey key = TestTokens.rsa("k1");

  private void start(EgressPolicy egress, TokenOptions tokens) {
    kit =
        GatewayKit.start(
            GatewayOptions.defaults().withEventLoops(1).withEgress(egress),
            GatewayServices.NONE.withTokens(tokens));
    idp = IssuerServer.start(kit.vertx).keys(key);
    kit.routes(route("api", "/api", kit.target("/api")).jwtAuth().build());
  }

  private void start() {
    start(EgressPolicy.allowing(List.of("127.0.0.1/32")), TokenOptions.defaults());
    kit.issuer(TestTokens.issuer("acme", "idp", idp.url(), idp.jwksUrl(), CLAIMS));
  }

  @AfterEach
  void close() {
    if (idp != null) {
      idp.close();
    }
    if (kit != null) {
      kit.close();
    }
  }

  private GatewayKit.Reply call(String token, String... headers) {
    var all = new java.util.ArrayList<>(List.of("Authorization", "Bearer " + token));
    all.addAll(List.of(headers));
    return kit.get("/api/x", all.toArray(String[]::new));
  }

  private JWTClaimsSet.Builder claims() {
    return TestTokens.claims(idp.url(), "crossgate", "alice").claim("email", "alice@acme.example");
  }

  private static void assertRefused(GatewayKit.Reply reply, String check, String token) {
    assertThat(reply.status()).isEqualTo(401);
    assertThat(reply.problemType()).isEqualTo("invalid-token");
    assertThat(reply.json().get("check")).isEqualTo(check);
    assertThat(reply.body()).doesNotContain(token);
    assertThat(reply.header("WWW-Authenticate")).contains("error=\"invalid_token\"");
  }

  @Test
  void aValidTokenIsTheTenantsCallerAndTheUpstreamSeesItsClaimHeadersButNotTheToken() {
    start();
    var token = TestTokens.sign(key, claims().build());

    var reply = call(token, "X-Caller-Sub", "mallory");
    var seen = kit.upstream.next();

    assertThat(reply.status()).isEqualTo(200);
    assertThat(seen.headers().getAll("X-Caller-Sub")).containsExactly("alice");
    assertThat(seen.headers().get("X-Caller-Email")).isEqualTo("alice@acme.example");
    assertThat(seen.headers().get("Authorization")).isNull();
    assertThat(idp.keyFetches()).isEqualTo(1);
  }

  @Test
  void aClientCannotPoseAsASubjectBySendingTheClaimHeaderWithAnApiKey() {
    start();
    kit.routes(route("api", "/api", kit.target("/api")).keyOrJwtAuth().build());
    var apiKey = kit.apiKey("acme");

    var reply = kit.get("/api/x", "X-Api-Key", apiKey, "X-Caller-Sub", "admin");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(kit.upstream.next().headers().get("X-Caller-Sub")).isNull();
  }

  @Test
  void aRouteThatSaysForwardTokenPassesTheTokenOn() {
    start();
    kit.routes(route("api", "/api", kit.target("/api")).jwtAuth().forwardToken().build());
    var token = TestTokens.sign(key, claims().build());

    call(token);

    assertThat(kit.upstream.next().headers().get("Authorization")).isEqualTo("Bearer " + token);
  }

  @Test
  void anExpiredTokenIsRefusedAsExpired() {
    start();
    var past = Instant.now().minusSeconds(600);
    var token =
        TestTokens.sign(
            key,
            claims()
                .issueTime(Date.from(past))
                .expirationTime(Date.from(past.plusSeconds(60)))
                .build());

    var reply = call(token);

    assertRefused(reply, "expired", token);
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void aTokenWithoutExpiryAndOneNotYetValidAreRefused() {
    start();
    var forever = TestTokens.sign(key, claims().expirationTime(null).build());
    var later =
        TestTokens.sign(
            key, claims().notBeforeTime(Date.from(Instant.now().plusSeconds(600))).build());

    assertRefused(call(forever), "expired", forever);
    assertRefused(call(later), "not-yet-valid", later);
  }

  @Test
  void aTokenForAnotherAudienceIsRefused() {
    start();
    var token = TestTokens.sign(key, claims().audience("billing").build());

    assertRefused(call(token), "audience", token);
  }

  @Test
  void aTokenOfAnUnregisteredIssuerIsRefused() {
    start();
    var token = TestTokens.sign(key, claims().issuer("https://login.evil.example").build());

    assertRefused(call(token), "issuer", token);
    assertThat(idp.keyFetches()).isZero();
  }

  @Test
  void anUnknownKeyIdRefetchesTheKeysOnceAndASecondWithinTheIntervalDoesNot() {
    start();
    assertThat(call(TestTokens.sign(key, claims().build())).status()).isEqualTo(200);
    kit.upstream.next();
    var ghost = TestTokens.sign(TestTokens.rsa("ghost"), claims().build());
    var other = TestTokens.sign(TestTokens.rsa("ghost-2"), claims().build());

    var first = call(ghost);
    int afterFirst = idp.keyFetches();
    var second = call(other);

    assertRefused(first, "unknown-key", ghost);
    assertThat(afterFirst).isEqualTo(2);
    assertRefused(second, "unknown-key", other);
    assertThat(idp.keyFetches()).isEqualTo(2);
  }

  @Test
  void anUnsignedTokenIsRefused() {
    start();
    var token = new PlainJWT(claims().build()).serialize();

    assertRefused(call(token), "algorithm", token);
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void anHmacTokenKeyedWithTheIssuersPublicKeyIsRefused() throws Exception {
    start();
    // the classic confusion: HS256 with the RSA public key's bytes as the shared secret
    var forged =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), claims().build());
    forged.sign(new MACSigner(key.toPublicKey().getEncoded()));
    var token = forged.serialize();

    assertRefused(call(token), "algorithm", token);
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void aTokenSignedWithAnotherKeyUnderAKnownKeyIdFailsTheSignature() {
    start();
    var impostor = TestTokens.sign(TestTokens.rsa("k1"), claims().build());

    assertRefused(call(impostor), "signature", impostor);
  }

  @Test
  void aRotatedKeySetIsPickedUpAndTheRetiredKeyRefused() {
    start(
        EgressPolicy.allowing(List.of("127.0.0.1/32")),
        new TokenOptions(
            Duration.ofSeconds(60),
            Duration.ofHours(1),
            Duration.ofMinutes(10),
            Duration.ofMillis(200),
            Duration.ofSeconds(5),
            65_536));
    kit.issuer(TestTokens.issuer("acme", "idp", idp.url(), idp.jwksUrl(), CLAIMS));
    var oldToken = TestTokens.sign(key, claims().build());
    assertThat(call(oldToken).status()).isEqualTo(200);
    kit.upstream.next();
    var next = TestTokens.rsa("k2");
    idp.keys(next);
    var newToken = TestTokens.sign(next, claims().build());

    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> call(newToken).status() == 200);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> call(oldToken).status() == 401);
  }

  @Test
  void aTokenIsTheTenantWhoseIssuerSignedItNeverAnother() {
    start();
    var globexKey = TestTokens.ec("g1");
    var globex = "https://login.globex.example";
    kit.issuer(TestTokens.inlineIssuer("globex", "main", globex, globexKey));
    // acme's key, claiming to be globex's issuer: under acme's kid, and under globex's
    var acmeAsGlobex = TestTokens.sign(key, claims().issuer(globex).build());
    var underGlobexKid =
        TestTokens.sign(TestTokens.ec("g1"), TestTokens.claims(globex, "crossgate", "eve").build());

    assertRefused(call(acmeAsGlobex), "unknown-key", acmeAsGlobex);
    assertRefused(call(underGlobexKid), "signature", underGlobexKid);

    kit.tenantEnabled("acme", false);
    var acmeToken = call(TestTokens.sign(key, claims().build()));
    var globexToken =
        call(TestTokens.sign(globexKey, TestTokens.claims(globex, "crossgate", "bob").build()));

    assertThat(acmeToken.status()).isEqualTo(403);
    assertThat(acmeToken.problemType()).isEqualTo("tenant-disabled");
    assertThat(globexToken.status()).isEqualTo(200);
    assertThat(kit.upstream.next().headers().get("X-Caller-Sub")).isEqualTo("bob");
  }

  @Test
  void keyOrJwtAcceptsEitherAndAKeyRouteRefusesATokenCaller() {
    start();
    kit.routes(
        route("either", "/api", kit.target("/api")).keyOrJwtAuth().build(),
        route("keys", "/keys", kit.target("/keys")).keyAuth().build());
    var apiKey = kit.apiKey("acme");
    var token = TestTokens.sign(key, claims().build());

    var byKey = kit.get("/api/x", "X-Api-Key", apiKey);
    var byToken = call(token);
    var byNothing = kit.get("/api/x");
    var tokenOnKeyRoute = kit.get("/keys", "Authorization", "Bearer " + token);

    assertThat(byKey.status()).isEqualTo(200);
    assertThat(byToken.status()).isEqualTo(200);
    assertThat(byNothing.status()).isEqualTo(401);
    assertThat(tokenOnKeyRoute.status()).isEqualTo(401);
  }

  @Test
  void es256AndEdDsaKeysRegisteredInlineVerify() {
    start();
    var ec = TestTokens.ec("e1");
    var ed = TestTokens.ed25519("d1");
    kit.issuer(TestTokens.inlineIssuer("acme", "inline", "https://id.acme.example", ec, ed));

    var byEc =
        call(
            TestTokens.sign(
                ec, TestTokens.claims("https://id.acme.example", "crossgate", "ec").build()));
    var seenEc = kit.upstream.next();
    var byEd =
        call(
            TestTokens.sign(
                ed, TestTokens.claims("https://id.acme.example", "crossgate", "ed").build()));
    var seenEd = kit.upstream.next();

    assertThat(byEc.status()).isEqualTo(200);
    assertThat(seenEc.headers().get("X-Caller-Sub")).isEqualTo("ec");
    assertThat(byEd.status()).isEqualTo(200);
    assertThat(seenEd.headers().get("X-Caller-Sub")).isEqualTo("ed");
  }

  @Test
  void theKeysOfAnIssuerThatOnlyNamesItselfAreDiscovered() {
    start(EgressPolicy.allowing(List.of("127.0.0.1/32")), TokenOptions.defaults());
    kit.issuer(TestTokens.discoveredIssuer("acme", "idp", idp.url(), CLAIMS));

    var reply = call(TestTokens.sign(key, claims().build()));

    assertThat(reply.status()).isEqualTo(200);
    assertThat(idp.discoveries()).isEqualTo(1);
    assertThat(idp.keyFetches()).isEqualTo(1);
  }

  @Test
  void aKeySetUrlOnAnInternalAddressIsRefusedUnderTheDefaultEgressPolicy() {
    start(EgressPolicy.DEFAULT, TokenOptions.defaults());
    kit.issuer(TestTokens.issuer("acme", "idp", idp.url(), idp.jwksUrl(), CLAIMS));
    var token = TestTokens.sign(key, claims().build());

    var first = call(token);
    var second = call(token);

    assertRefused(first, "keys-unavailable", token);
    assertRefused(second, "keys-unavailable", token);
    assertThat(idp.keyFetches()).isZero();
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @Test
  void aJwtRouteWithoutATokenIs401AndAnOpaqueBearerIsNotTakenForOne() {
    start();

    var none = kit.get("/api/x");
    var opaque = kit.get("/api/x", "Authorization", "Bearer not-a-jwt");

    assertThat(none.status()).isEqualTo(401);
    assertThat(opaque.status()).isEqualTo(401);
    assertThat(opaque.body()).doesNotContain("not-a-jwt");
    assertThat(idp.keyFetches()).isZero();
  }
}
