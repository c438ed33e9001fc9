package dev.crossgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CommandLineTest {
  @Test
  void theGatewayRoleTakesItsTaskDatabaseOptions() {
    var gateway = new GatewayCommand();

    new CommandLine(gateway).parseArgs("--control-plane", "http://cp:9080", "--cluster-token", "t",
        "--db", "jdbc:postgresql://db/crossgate", "--db-user", "cg");

    assertThat(gateway.database.db).isEqualTo("jdbc:postgresql://db/crossgate");
    assertThat(gateway.database.dbUser).isEqualTo("cg");
  }

  @Test
  void standaloneKeepsItsDatabaseOptions() {
    var standalone = new StandaloneCommand();

    new CommandLine(standalone).parseArgs("--db", "jdbc:h2:mem:x");

    assertThat(standalone.storage.database.db).isEqualTo("jdbc:h2:mem:x");
  }

  @Test
  void theAgentRoleIsASubcommandWithTheContractsOptions() {
    var parsed = new CommandLine(new Crossgate()).parseArgs("agent", "--gateway", "http://gw:9000", "--api-key", "k",
        "--agent-port", "7001", "--data-dir", "/tmp/a", "--callback-allow", "http://app:8080/hooks/,http://b/");
    AgentCommand agent = parsed.subcommand().commandSpec().commandLine().getCommand();

    assertThat(agent.gateway).isEqualTo("http://gw:9000");
    assertThat(agent.port).isEqualTo(7001);
    assertThat(agent.callbackAllow).containsExactly("http://app:8080/hooks/", "http://b/");
  }
}
