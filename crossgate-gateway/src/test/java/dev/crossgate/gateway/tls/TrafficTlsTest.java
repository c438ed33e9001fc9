package dev.crossgate.gateway.tls;

import static dev.crossgate.gateway.kit.GatewayKit.await;
import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.crossgate.config.GatewayConfig;
import dev.crossgate.gateway.GatewayServer;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.config.GatewayServices;
import dev.crossgate.gateway.config.TrafficTls;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.kit.TlsProbe;
import dev.crossgate.tls.TestCertificates;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class TrafficTlsTest {
  private static final List<String> H2_AND_H1 = List.of("h2", "http/1.1");

  @TempDir Path dir;

  private final TestCertificates.Authority ca = TestCertificates.authority("Traffic Test CA");
  private final ListAppender<ILoggingEvent> serverLog = new ListAppender<>();

  @BeforeEach
  void capture() {
    serverLog.start();
    ((Logger) LoggerFactory.getLogger(GatewayServer.class)).addAppender(serverLog);
  }

  @AfterEach
  void release() {
    ((Logger) LoggerFactory.getLogger(GatewayServer.class)).detachAppender(serverLog);
  }

  @Test
  void sniPicksTheCertificateOfTheNameTheClientAsksForAndTheFirstPairOtherwise() {
    var apiFiles = ca.server("api.example.test", "127.0.0.1").write(dir, "api");
    var adminFiles = ca.server("admin.example.test").write(dir, "admin");

    try (var kit = start(TrafficTls.of(List.of(pair(apiFiles), pair(adminFiles)), 0))) {
      int port = kit.gateway().tlsPort();

      assertThat(TlsProbe.handshake(port, "admin.example.test", ca.certPem(), H2_AND_H1).subject())
          .isEqualTo("CN=admin.example.test");
      assertThat(TlsProbe.handshake(port, "api.example.test", ca.certPem(), H2_AND_H1).subject())
          .isEqualTo("CN=api.example.test");
      assertThat(TlsProbe.handshake(port, null, ca.certPem(), H2_AND_H1).subject())
          .isEqualTo("CN=api.example.test");
    }
  }

  @Test
  void http2IsNegotiatedByAlpnOnlyModernProtocolsAreSpokenAndTheUpstreamHearsTheCallWasHttps() {
    var files = ca.server("127.0.0.1").write(dir, "server");

    try (var kit = start(TrafficTls.of(List.of(pair(files)), 0))) {
      kit.routes(route("r1", "/a", kit.target("/up")).build());
      var client = kit.httpsClient(ca.certPem(), null, HttpVersion.HTTP_2);

      var response =
          await(
              client
                  .request(io.vertx.core.http.HttpMethod.GET, "/a/x")
                  .compose(req -> req.send())
                  .compose(r -> r.body().map(b -> r)));

      assertThat(response.version()).isEqualTo(HttpVersion.HTTP_2);
      assertThat(response.statusCode()).isEqualTo(200);
      var seen = kit.upstream.next();
      assertThat(seen.headers().get("X-Forwarded-Proto")).isEqualTo("https");
      assertThat(seen.headers().get("Forwarded")).contains("proto=https");
      var handshake = TlsProbe.handshake(kit.gateway().tlsPort(), null, ca.certPem(), H2_AND_H1);
      assertThat(handshake.applicationProtocol()).isEqualTo("h2");
      assertThat(handshake.protocol()).isIn("TLSv1.2", "TLSv1.3");
      assertThat(
              TlsProbe.handshake(kit.gateway().tlsPort(), null, ca.certPem(), List.of("http/1.1"))
                  .applicationProtocol())
          .isEqualTo("http/1.1");
    }
  }

  @Test
  void changedCertificateFilesServeNewHandshakesWhileAnOpenConnectionKeepsWorking()
      throws IOException {
    var first = ca.server("127.0.0.1");
    var files = first.write(dir, "server");

    try (var kit =
        start(TrafficTls.of(List.of(pair(files)), 0).withReloadEvery(Duration.ofMillis(100)))) {
      kit.routes(route("r1", "/a", kit.target("/up")).build());
      var client = kit.httpsClient(ca.certPem(), null, HttpVersion.HTTP_1_1);
      var before = get(client, "/a/1");
      var openConnection = before.request().connection();
      assertThat(openConnection.peerCertificates().get(0)).isEqualTo(first.certificate());

      var second = ca.server("127.0.0.1");
      replace(files.cert(), second.certPem());
      replace(files.key(), second.keyPem());

      Awaitility.await()
          .until(
              () ->
                  TlsProbe.handshake(kit.gateway().tlsPort(), null, ca.certPem(), H2_AND_H1)
                      .served()
                      .equals(second.certificate()));
      var after = get(client, "/a/2");
      assertThat(after.statusCode()).isEqualTo(200);
      assertThat(after.request().connection()).isSameAs(openConnection);
      assertThat(openConnection.peerCertificates().get(0)).isEqualTo(first.certificate());
      assertThat(messages()).anyMatch(m -> m.contains("event=tls-certificates-reloaded"));
    }
  }

  @Test
  void aNewCertificateWhoseKeyIsNotItsOwnIsRefusedAndTheServedOneKept() throws IOException {
    var first = ca.server("127.0.0.1");
    var files = first.write(dir, "server");

    try (var kit =
        start(TrafficTls.of(List.of(pair(files)), 0).withReloadEvery(Duration.ofMillis(100)))) {
      replace(files.cert(), ca.server("127.0.0.1").certPem());
      replace(files.key(), ca.server("127.0.0.1").keyPem());

      Awaitility.await()
          .until(
              () ->
                  messages().stream()
                      .anyMatch(
                          m ->
                              m.contains("event=tls-reload-refused")
                                  && m.contains("is not the key of the certificate")));
      assertThat(
              TlsProbe.handshake(kit.gateway().tlsPort(), null, ca.certPem(), H2_AND_H1).served())
          .isEqualTo(first.certificate());
    }
  }

  @Test
  void aNodeDoesNotStartWithACertificateAndAKeyThatDoNotBelongTogether() {
    var cert = ca.server("127.0.0.1").write(dir, "one").cert();
    var key = ca.server("127.0.0.1").write(dir, "two").key();

    var vertx = io.vertx.core.Vertx.vertx();
    try {
      assertThatThrownBy(
              () ->
                  await(
                      GatewayServer.start(
                          vertx,
                          GatewayOptions.defaults().withListen("127.0.0.1", 0),
                          () -> GatewayConfig.EMPTY,
                          List.of(),
                          GatewayServices.NONE.withTls(
                              TrafficTls.of(List.of(new TrafficTls.Pair(cert, key)), 0)))))
          .hasMessageContaining("is not the key of the certificate");
    } finally {
      await(vertx.close());
    }
  }

  private GatewayKit start(TrafficTls tls) {
    return GatewayKit.start(
        GatewayOptions.defaults().withEventLoops(2), GatewayServices.NONE.withTls(tls));
  }

  private static TrafficTls.Pair pair(TestCertificates.PemFiles files) {
    return new TrafficTls.Pair(files.cert(), files.key());
  }

  private static HttpClientResponse get(HttpClient client, String uri) {
    return await(
        client
            .request(io.vertx.core.http.HttpMethod.GET, uri)
            .compose(req -> req.send())
            .compose(r -> r.body().map(b -> r)));
  }

  /**
   * Writes beside the file, then moves over it: the reader sees the old or the new text, never
   * half.
   */
  private static void replace(Path file, String text) throws IOException {
    var next = file.resolveSibling(file.getFileName() + ".next");
    Files.writeString(next, text);
    Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private List<String> messages() {
    return serverLog.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }
}
