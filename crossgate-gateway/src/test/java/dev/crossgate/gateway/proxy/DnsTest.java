package dev.crossgate.gateway.proxy;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.GatewayServer;
import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.kit.FakeDnsServer;
import dev.crossgate.gateway.kit.GatewayKit;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** An upstream named by DNS follows the name to its new address, without a restart. */
class DnsTest {

  @Test
  void aServiceNameThatMovesIsFollowedOnceItsTtlExpires() throws Exception {
    var options =
        GatewayOptions.defaults()
            .withEventLoops(1)
            .withUpstream(new GatewayOptions.Upstream(8, 64, 1, 1, 1));
    try (var dns = new FakeDnsServer("orders.svc.test", "127.0.0.1")) {
      var vertxOptions = GatewayServer.vertxOptions(options);
      vertxOptions
          .getAddressResolverOptions()
          .setServers(List.of("127.0.0.1:" + dns.port()))
          .setSearchDomains(List.of())
          .setHostsValue(io.vertx.core.buffer.Buffer.buffer("127.0.0.1 localhost\n"))
          .setOptResourceEnabled(false)
          .setQueryTimeout(2_000);
      try (var kit = GatewayKit.start(options, vertxOptions)) {
        // a second upstream on another loopback address, same port: where the service moves to
        var moved =
            kit.vertx
                .createHttpServer(
                    new HttpServerOptions().setHost("127.0.0.2").setPort(kit.upstream.port()))
                .requestHandler(req -> req.response().end("moved"));
        GatewayKit.await(moved.listen());
        kit.routes(
            route("orders", "/orders", "http://orders.svc.test:" + kit.upstream.port()).build());

        var before = kit.get("/orders");
        dns.answer("127.0.0.2");

        Awaitility.await()
            .atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> kit.get("/orders").body().equals("moved"));
        assertThat(before.body()).isEqualTo("upstream saw /");
        assertThat(dns.queries()).isGreaterThanOrEqualTo(2);
        GatewayKit.await(moved.close());
      }
    }
  }
}
