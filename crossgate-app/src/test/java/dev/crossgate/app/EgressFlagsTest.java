package dev.crossgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class EgressFlagsTest {
  @Test
  void withoutEgressAllowOnlyPublicAddressesAreReachableAndTheRolesOwnPortsAreListed()
      throws Exception {
    var standalone = new StandaloneCommand();
    new CommandLine(standalone).parseArgs("--gateway-port", "9000", "--admin-port", "9080");

    var policy = standalone.egress.toPolicy(standalone.gateway.port, standalone.storage.adminPort);

    assertThat(policy.allowedBlocks()).isEmpty();
    assertThat(policy.allowedHosts()).isEmpty();
    assertThat(policy.ownPorts()).containsExactlyInAnyOrder(9000, 9080);
    assertThat(policy.check("10.0.0.7", InetAddress.getByName("10.0.0.7"), 80, false).allowed())
        .isFalse();
  }

  @Test
  void everyRoleThatConnectsToTenantChosenAddressesTakesEgressAllow() throws Exception {
    var gateway = new GatewayCommand();
    new CommandLine(gateway)
        .parseArgs(
            "--control-plane",
            "http://cp:9080",
            "--cluster-token",
            "t",
            "--egress-allow",
            "10.0.0.0/8,uploads.internal",
            "--public-url",
            "https://api.example.com/");
    var admin = new AdminCommand();
    new CommandLine(admin).parseArgs("--egress-allow", "fd00::/8");
    var agent =
        (AgentCommand)
            new CommandLine(new Crossgate())
                .parseArgs(
                    "agent",
                    "--gateway",
                    "http://gw:9000",
                    "--api-key",
                    "k",
                    "--egress-allow",
                    "192.168.1.7")
                .subcommand()
                .commandSpec()
                .userObject();

    var gatewayPolicy = gateway.egress.toPolicy(gateway.gateway.port, gateway.nodeAdminPort);
    var options = gateway.gateway.toOptions("0.0.0.0", gatewayPolicy);

    assertThat(gatewayPolicy.check("x", InetAddress.getByName("10.1.2.3"), 80, false).allowed())
        .isTrue();
    assertThat(gatewayPolicy.hostAllowed("uploads.internal")).isTrue();
    assertThat(gatewayPolicy.ownPorts()).containsExactlyInAnyOrder(9000, 9001);
    assertThat(options.egress()).isEqualTo(gatewayPolicy);
    assertThat(options.publicUrl()).isEqualTo("https://api.example.com");
    assertThat(
            admin
                .egress
                .toPolicy(9080)
                .check("x", InetAddress.getByName("fd00::1"), 80, false)
                .allowed())
        .isTrue();
    assertThat(
            agent
                .egress
                .toPolicy(agent.port)
                .check("x", InetAddress.getByName("192.168.1.7"), 80, false)
                .allowed())
        .isTrue();
  }

  @Test
  void anAmbiguousEgressAllowEntryIsAUsageErrorNamingIt() {
    var err = new StringWriter();

    int exit =
        new CommandLine(new Crossgate())
            .setErr(new PrintWriter(err))
            .execute("standalone", "--egress-allow", "10.0.0.0/8,127.1");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .contains("Invalid --egress-allow")
        .contains("'127.1'")
        .doesNotContain("Exception");
  }

  @Test
  void aPublicUrlWithAQueryIsAUsageError() {
    var err = new StringWriter();

    int exit =
        new CommandLine(new Crossgate())
            .setErr(new PrintWriter(err))
            .execute("standalone", "--public-url", "https://api.example.com/?x=1");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("public URL").doesNotContain("Exception");
  }
}
