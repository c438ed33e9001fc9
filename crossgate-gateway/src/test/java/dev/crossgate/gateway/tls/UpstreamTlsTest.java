package dev.crossgate.gateway.tls;

import static dev.crossgate.gateway.kit.GatewayKit.await;
import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.route.RouteSpec;
import dev.crossgate.tls.TestCertificates;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * TLS toward upstreams with a route's {@code tls} settings: a private CA, the name checked, a
 * client certificate for the upstream; a failure is a 502 problem naming its reason class.
 */
class UpstreamTlsTest {
  private final TestCertificates.Authority privateCa = TestCertificates.authority("Upstream CA");
  private final GatewayKit kit = GatewayKit.start();

  @AfterEach
  void close() {
    kit.close();
  }

  @Test
  void anUpstreamWithAPrivateCaIsReachedWithTheRoutesCaAndRefusedAsNotTrustedWithout() {
    int port = httpsUpstream(privateCa.server("upstream.test", "127.0.0.1"), null);
    kit.routes(
        route("with", "/with", "https://127.0.0.1:" + port + "/")
            .tls(tls(privateCa.certPem(), null, null))
            .build(),
        route("without", "/without", "https://127.0.0.1:" + port + "/").build());

    var trusted = kit.get("/with/x");
    var untrusted = kit.get("/without/x");

    assertThat(trusted.status()).isEqualTo(200);
    assertThat(trusted.body()).isEqualTo("tls upstream saw /x");
    assertThat(untrusted.status()).isEqualTo(502);
    assertThat(untrusted.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(untrusted.json().get("detail").toString())
        .endsWith("failed: certificate not trusted");
  }

  @Test
  void aCertificateForAnotherNameIsRefusedUnlessTheRouteNamesThatServerOrTurnsTheCheckOff() {
    int port = httpsUpstream(privateCa.server("upstream.test"), null);
    var target = "https://127.0.0.1:" + port + "/";
    kit.routes(
        route("checked", "/checked", target).tls(tls(privateCa.certPem(), null, null)).build(),
        route("named", "/named", target)
            .tls(tls(privateCa.certPem(), "upstream.test", null))
            .build(),
        route("unchecked", "/unchecked", target)
            .tls(new RouteSpec.TlsSpec(privateCa.certPem(), false, null, null, null))
            .build());

    var mismatch = kit.get("/checked/x");
    var named = kit.get("/named/x");
    var unchecked = kit.get("/unchecked/x");

    assertThat(mismatch.status()).isEqualTo(502);
    assertThat(mismatch.json().get("detail").toString()).endsWith("failed: hostname mismatch");
    assertThat(named.status()).isEqualTo(200);
    assertThat(unchecked.status()).isEqualTo(200);
  }

  @Test
  void theGatewayPresentsTheRoutesClientCertificateToAnUpstreamThatRequiresOne() {
    var gatewayIdentity = privateCa.client("CN=gateway,O=Crossgate");
    int port = httpsUpstream(privateCa.server("127.0.0.1"), privateCa.certPem());
    kit.routes(
        route("mtls", "/mtls", "https://127.0.0.1:" + port + "/")
            .tls(tls(privateCa.certPem(), null, gatewayIdentity))
            .build());

    var reply = kit.get("/mtls/x");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("X-Upstream-Saw-Client")).isEqualTo("CN=gateway,O=Crossgate");
  }

  @Test
  void aCleartextServerBehindAnHttpsTargetIsAFailedHandshake() {
    kit.routes(
        route("plain", "/plain", "https://127.0.0.1:" + kit.upstream.port() + "/")
            .tls(tls(privateCa.certPem(), null, null))
            .build());

    var reply = kit.get("/plain/x");

    assertThat(reply.status()).isEqualTo(502);
    assertThat(reply.json().get("detail").toString()).endsWith("failed: handshake failed");
  }

  private static RouteSpec.TlsSpec tls(
      String caPem, String serverName, TestCertificates.Issued client) {
    return new RouteSpec.TlsSpec(
        caPem,
        null,
        serverName,
        client == null ? null : client.certPem(),
        client == null ? null : client.keyPem());
  }

  /**
   * An HTTPS upstream on 127.0.0.1 serving {@code identity}, asking for a client certificate when
   * {@code clientCa} is set.
   */
  private int httpsUpstream(TestCertificates.Issued identity, String clientCa) {
    return httpsUpstream(kit.vertx, identity, clientCa);
  }

  /** The same on {@code vertx}, for tests of other classes. */
  static int httpsUpstream(
      io.vertx.core.Vertx vertx, TestCertificates.Issued identity, String clientCa) {
    var options =
        new HttpServerOptions()
            .setHost("127.0.0.1")
            .setPort(0)
            .setSsl(true)
            .setKeyCertOptions(
                new PemKeyCertOptions()
                    .setCertValue(Buffer.buffer(identity.certPem()))
                    .setKeyValue(Buffer.buffer(identity.keyPem())));
    if (clientCa != null) {
      options
          .setClientAuth(ClientAuth.REQUIRED)
          .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(clientCa)));
    }
    HttpServer server =
        vertx
            .createHttpServer(options)
            .requestHandler(
                request -> {
                  var response = request.response();
                  if (clientCa != null) {
                    response.putHeader(
                        "X-Upstream-Saw-Client",
                        dev.crossgate.gateway.auth.PeerCertificate.subject(request));
                  }
                  response.end("tls upstream saw " + request.uri());
                });
    return await(server.listen()).actualPort();
  }
}
