package dev.crossgate.gateway.tls;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.crossgate.gateway.GatewayServer;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.GatewayServices;
import dev.crossgate.gateway.config.TrafficTls;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.kit.TlsProbe;
import dev.crossgate.gateway.kit.TlsProbe.HelloAnswer;
import dev.crossgate.route.RouteSpec;
import dev.crossgate.tls.TestCertificates;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * The traffic port's TLS on both engines: OpenSSL (BoringSSL), the default where it loads, and the
 * JDK's, which {@code -Dcrossgate.openssl=false} keeps. The protocol floor and the cipher list are
 * attacked with hand-made ClientHellos, since the JDK's client refuses to offer TLS 1.0/1.1.
 */
class TlsEngineTest {
  private static final List<String> H2_AND_H1 = List.of("h2", "http/1.1");
  private static final int TLS_1_0 = 0x0301;
  private static final int TLS_1_1 = 0x0302;
  private static final int TLS_1_2 = 0x0303;
  private static final int ECDHE_ECDSA_AES_128_GCM_SHA256 = 0xC02B;
  private static final int ECDHE_ECDSA_AES_128_CBC_SHA = 0xC009;
  private static final int ECDHE_ECDSA_RC4_128_SHA = 0xC007;
  private static final int RSA_AES_128_CBC_SHA = 0x002F;
  private static final int RSA_3DES_EDE_CBC_SHA = 0x000A;
  private static final int RSA_RC4_128_SHA = 0x0005;

  @TempDir Path dir;

  private final TestCertificates.Authority ca = TestCertificates.authority("Engine Test CA");
  private final TestCertificates.Authority clientCa =
      TestCertificates.authority("Engine Client CA");
  private final ListAppender<ILoggingEvent> serverLog = new ListAppender<>();
  private GatewayKit kit;

  @BeforeEach
  void capture() {
    serverLog.start();
    ((Logger) LoggerFactory.getLogger(GatewayServer.class)).addAppender(serverLog);
  }

  @AfterEach
  void release() {
    if (kit != null) {
      kit.close();
    }
    System.clearProperty(TlsEngine.PROPERTY);
    ((Logger) LoggerFactory.getLogger(GatewayServer.class)).detachAppender(serverLog);
  }

  @Test
  void openSslLoadsHereAndIsTheEngineUnlessThePropertyKeepsTheJdks() {
    assertThat(TlsEngine.chosen()).isEqualTo(TlsEngine.OPENSSL);
    assertThat(TlsEngine.openSslUnavailableCause()).isNull();

    System.setProperty(TlsEngine.PROPERTY, "false");

    assertThat(TlsEngine.chosen()).isEqualTo(TlsEngine.JDK);
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void sniPicksTheCertificateOfTheNameAskedForAndAlpnNegotiatesH2(TlsEngine engine) {
    var api = ca.server("api.example.test", "127.0.0.1").write(dir, "api");
    var admin = ca.server("admin.example.test").write(dir, "admin");
    start(engine, TrafficTls.of(List.of(pair(api), pair(admin)), 0));
    kit.routes(route("r1", "/a", kit.target("/up")).build());
    int port = kit.gateway().tlsPort();

    var named = TlsProbe.handshake(port, "admin.example.test", ca.certPem(), H2_AND_H1);
    var unnamed = TlsProbe.handshake(port, null, ca.certPem(), H2_AND_H1);
    var overH2 = get(kit.httpsClient(ca.certPem(), null, HttpVersion.HTTP_2), "/a/x");

    assertThat(named.subject()).isEqualTo("CN=admin.example.test");
    assertThat(unnamed.subject()).isEqualTo("CN=api.example.test");
    assertThat(unnamed.applicationProtocol()).isEqualTo("h2");
    assertThat(unnamed.protocol()).isEqualTo("TLSv1.3");
    assertThat(overH2.status()).isEqualTo(200);
    assertThat(kit.upstream.next().headers().get("X-Forwarded-Proto")).isEqualTo("https");
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void requiredClientAuthServesACertificateTheClientCaSignedAndFailsTheHandshakeOfOthers(
      TlsEngine engine) {
    var server = ca.server("127.0.0.1").write(dir, "server");
    var trusted = clientCa.client("CN=billing,O=Acme");
    var foreign = TestCertificates.authority("Other CA").client("CN=billing,O=Acme");
    start(
        engine,
        TrafficTls.of(List.of(pair(server)), 0)
            .withClientAuth(clientCa.writeCert(dir, "client-ca"), TrafficTls.ClientAuth.REQUIRED));
    kit.routes(route("open", "/open", kit.target("/o")).build());

    var withCertificate = get(client(trusted), "/open");

    assertThat(withCertificate.status()).isEqualTo(200);
    assertThatThrownBy(() -> get(client(null), "/open")).hasMessageContaining("SSL");
    assertThatThrownBy(() -> get(client(foreign), "/open")).hasMessageContaining("SSL");
    kit.upstream.next();
    assertThat(kit.upstream.receivedNothing()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void aClientOfferingOnlyTls10OrTls11IsRefusedWhileTheSameHelloAsTls12IsAnswered(
      TlsEngine engine) {
    start(engine, TrafficTls.of(List.of(pair(ca.server("127.0.0.1").write(dir, "s"))), 0));
    int port = kit.gateway().tlsPort();
    int[] suites = {ECDHE_ECDSA_AES_128_GCM_SHA256, ECDHE_ECDSA_AES_128_CBC_SHA};

    var tls10 = TlsProbe.clientHello(port, TLS_1_0, suites);
    var tls11 = TlsProbe.clientHello(port, TLS_1_1, suites);
    var tls12 = TlsProbe.clientHello(port, TLS_1_2, suites);

    assertThat(tls10).isIn(HelloAnswer.ALERT, HelloAnswer.CLOSED);
    assertThat(tls11).isIn(HelloAnswer.ALERT, HelloAnswer.CLOSED);
    assertThat(tls12).isEqualTo(HelloAnswer.SERVER_HELLO);
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void aClientOfferingOnlyWeakCipherSuitesIsRefused(TlsEngine engine) {
    start(engine, TrafficTls.of(List.of(pair(ca.server("127.0.0.1").write(dir, "s"))), 0));
    int port = kit.gateway().tlsPort();

    // CBC with SHA-1, RC4 and 3DES, and RSA key exchange without forward secrecy: all of them
    // ones both engines would otherwise speak (ECDHE-ECDSA-AES128-SHA) or know of
    var weak =
        TlsProbe.clientHello(
            port,
            TLS_1_2,
            ECDHE_ECDSA_AES_128_CBC_SHA,
            ECDHE_ECDSA_RC4_128_SHA,
            RSA_AES_128_CBC_SHA,
            RSA_3DES_EDE_CBC_SHA,
            RSA_RC4_128_SHA);
    var withOneStrong =
        TlsProbe.clientHello(
            port, TLS_1_2, ECDHE_ECDSA_AES_128_CBC_SHA, ECDHE_ECDSA_AES_128_GCM_SHA256);

    assertThat(weak).isIn(HelloAnswer.ALERT, HelloAnswer.CLOSED);
    assertThat(withOneStrong).isEqualTo(HelloAnswer.SERVER_HELLO);
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void anHttpsUpstreamIsReachedWithTheRoutesCaAndRefusedByReasonOtherwise(TlsEngine engine) {
    start(engine, null);
    var upstreamCa = TestCertificates.authority("Upstream CA");
    int port =
        UpstreamTlsTest.httpsUpstream(
            kit.vertx, upstreamCa.server("upstream.test", "127.0.0.1"), null);
    var target = "https://127.0.0.1:" + port + "/";
    kit.routes(
        route("trusted", "/trusted", target).tls(tls(upstreamCa.certPem(), null)).build(),
        route("untrusted", "/untrusted", target).build(),
        route("misnamed", "/misnamed", target)
            .tls(tls(upstreamCa.certPem(), "other.test"))
            .build());

    var trusted = kit.get("/trusted/x");
    var untrusted = kit.get("/untrusted/x");
    var misnamed = kit.get("/misnamed/x");

    assertThat(trusted.status()).isEqualTo(200);
    assertThat(trusted.body()).isEqualTo("tls upstream saw /x");
    assertThat(untrusted.status()).isEqualTo(502);
    assertThat(untrusted.json().get("detail").toString())
        .endsWith("failed: certificate not trusted");
    assertThat(misnamed.status()).isEqualTo(502);
    assertThat(misnamed.json().get("detail").toString()).endsWith("failed: hostname mismatch");
  }

  /** Starts a gateway on {@code engine} (and checks it says so); {@code tls} may be null. */
  private void start(TlsEngine engine, TrafficTls tls) {
    System.setProperty(TlsEngine.PROPERTY, Boolean.toString(engine == TlsEngine.OPENSSL));
    kit =
        GatewayKit.start(
            GatewayOptions.defaults().withEventLoops(1), GatewayServices.NONE.withTls(tls));
    assertThat(serverLog.list)
        .map(ILoggingEvent::getFormattedMessage)
        .anyMatch(
            m -> m.startsWith("gateway listening") && m.contains("tlsEngine=" + engine.logName()));
  }

  private io.vertx.core.http.HttpClient client(TestCertificates.Issued certificate) {
    return kit.httpsClient(ca.certPem(), certificate, HttpVersion.HTTP_1_1);
  }

  private GatewayKit.Reply get(io.vertx.core.http.HttpClient client, String uri) {
    return kit.send(client, HttpMethod.GET, uri, null);
  }

  private static RouteSpec.TlsSpec tls(String caPem, String serverName) {
    return new RouteSpec.TlsSpec(caPem, null, serverName, null, null);
  }

  private static TrafficTls.Pair pair(TestCertificates.PemFiles files) {
    return new TrafficTls.Pair(files.cert(), files.key());
  }
}
