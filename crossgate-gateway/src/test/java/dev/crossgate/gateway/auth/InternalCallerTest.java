package dev.crossgate.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.config.GatewayConfig;
import dev.crossgate.gateway.kit.TestTokens;
import dev.crossgate.route.RouteTable;
import dev.crossgate.tenant.ApiKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Whom a node's own signed request (a transfer delivered to a route path) may act as: a tenant that
 * still holds a credential — an API key, or a token issuer for tenants whose callers sign in with
 * JWTs — and nobody else, however the tenant header is spelt.
 */
class InternalCallerTest {
  private final GatewayConfig config =
      new GatewayConfig(
          1,
          RouteTable.EMPTY,
          List.of(),
          Map.of("h1", new ApiKey("k1", "acme", null, "h1", "acme_1", Instant.now())),
          List.of(),
          List.of(),
          List.of(),
          List.of(),
          List.of(
              TestTokens.inlineIssuer(
                  "initech", "idp", "https://idp.initech.example", TestTokens.rsa("i1"))),
          Map.of());

  @Test
  void aTenantHoldingAKeyOrATokenIssuerIsTheCaller() {
    assertThat(InternalCaller.callerFor("acme", config).tenantId()).isEqualTo("acme");
    assertThat(InternalCaller.callerFor("initech", config).tenantId()).isEqualTo("initech");
  }

  @Test
  void aTenantHoldingNeitherOrNoTenantAtAllIsNobody() {
    assertThat(InternalCaller.callerFor("globex", config)).isNull();
    assertThat(InternalCaller.callerFor("ACME", config)).isNull();
    assertThat(InternalCaller.callerFor("", config)).isNull();
    assertThat(InternalCaller.callerFor(null, config)).isNull();
    assertThat(InternalCaller.callerFor("acme", GatewayConfig.EMPTY)).isNull();
  }
}
