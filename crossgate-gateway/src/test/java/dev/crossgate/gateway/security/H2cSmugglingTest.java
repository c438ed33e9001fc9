package dev.crossgate.gateway.security;

import static dev.crossgate.gateway.kit.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.gateway.config.GatewayOptions;
import dev.crossgate.gateway.kit.GatewayKit;
import dev.crossgate.gateway.kit.RawHttp;
import org.junit.jupiter.api.Test;

/**
 * h2c smuggling: a proxy in front of the gateway that passes {@code Upgrade: h2c} on lets a client
 * open an HTTP/2 connection straight to the gateway, past what that proxy checks per request.
 * Cleartext HTTP/2 is refused unless the operator asks for it with {@code --h2c}.
 */
class H2cSmugglingTest {
  private static final String[] UPGRADE = {
    "GET /shop HTTP/1.1",
    "Host: 127.0.0.1",
    "Connection: Upgrade, HTTP2-Settings",
    "Upgrade: h2c",
    "HTTP2-Settings: AAMAAABkAAQAAP__"
  };

  @Test
  void byDefaultAnH2cUpgradeIsIgnoredAndTheRequestIsServedOverHttp11() {
    try (var kit = GatewayKit.start()) {
      kit.routes(route("shop", "/shop", kit.target("/up")).build());

      var response = RawHttp.send(kit.port(), UPGRADE);

      assertThat(response.status()).isEqualTo(200);
      assertThat(response.header("Upgrade")).isNull();
      assertThat(kit.upstream.next().headers().get("Upgrade")).isNull();
    }
  }

  @Test
  void withTheH2cOptionTheUpgradeIsAccepted() {
    try (var kit = GatewayKit.start(GatewayOptions.defaults().withEventLoops(1).withH2c(true))) {
      kit.routes(route("shop", "/shop", kit.target("/up")).build());

      var head = RawHttp.sendHeadOnly(kit.port(), UPGRADE);

      assertThat(head).startsWith("HTTP/1.1 101");
    }
  }
}
