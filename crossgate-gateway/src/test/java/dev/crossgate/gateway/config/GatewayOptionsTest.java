package dev.crossgate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossgate.gateway.GatewayServer;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatewayOptionsTest {

  @Test
  void resolvedAddressesAreCachedNoLongerThanTheConfiguredBoundNorTheRecordsTtl() {
    var options = GatewayOptions.defaults();

    var dns = GatewayServer.addressResolverOptions(options);

    assertThat(dns.getCacheMaxTimeToLive())
        .isEqualTo(options.upstream().dnsMaxTtlSeconds())
        .isEqualTo(30);
    assertThat(dns.getCacheMinTimeToLive()).isZero();
    assertThat(dns.getCacheNegativeTimeToLive()).isEqualTo(1);
    assertThat(
            GatewayServer.vertxOptions(options).getAddressResolverOptions().getCacheMaxTimeToLive())
        .isEqualTo(30);
  }

  @Test
  void trustedProxiesMustBeAddressesOrBlocks() {
    assertThatThrownBy(
            () -> GatewayOptions.defaults().withTrustedProxies(List.of("proxy.example.com")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("proxy.example.com");
  }

  @Test
  void markersAreSingleSegmentsAndDistinct() {
    assertThatThrownBy(() -> new GatewayOptions.Markers("/a/b", "/async"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new GatewayOptions.Markers("/x", "/x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(
            GatewayOptions.defaults()
                .withMarkers(new GatewayOptions.Markers("/s", "/a"))
                .markers()
                .sync())
        .isEqualTo("/s");
  }
}
