package dev.crossgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossgate.gateway.config.TrafficTls;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CommandLineTest {
  @Test
  void theGatewayRoleTakesItsTaskDatabaseOptions() {
    var gateway = new GatewayCommand();

    new CommandLine(gateway)
        .parseArgs(
            "--control-plane",
            "http://cp:9080",
            "--cluster-token",
            "t",
            "--db",
            "jdbc:postgresql://db/crossgate",
            "--db-user",
            "cg");

    assertThat(gateway.database.db).isEqualTo("jdbc:postgresql://db/crossgate");
    assertThat(gateway.database.dbUser).isEqualTo("cg");
  }

  @Test
  void theWebAssemblyQueueBoundsAreFlagsAndAWrongOneIsAUsageError() {
    var standalone = new StandaloneCommand();
    new CommandLine(standalone)
        .parseArgs("--wasm-queue-per-tenant", "4", "--wasm-max-queue-wait", "PT0.25S");

    var options = standalone.extensions.toOptions(java.nio.file.Path.of("modules"));

    assertThat(options.wasmQueuePerTenant()).isEqualTo(4);
    assertThat(options.wasmMaxQueueWait()).isEqualTo(java.time.Duration.ofMillis(250));
    var wrong = new StandaloneCommand();
    new CommandLine(wrong).parseArgs("--wasm-queue-per-tenant", "-1");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> wrong.extensions.toOptions(java.nio.file.Path.of("m")))
        .isInstanceOf(picocli.CommandLine.ParameterException.class)
        .hasMessageContaining("Invalid extension options");
  }

  @Test
  void theTrafficViewsSamplingIsAFlagOfTheControlPlaneRolesAndAWrongOneIsAUsageError() {
    var standalone = new StandaloneCommand();
    new CommandLine(standalone)
        .parseArgs(
            "--traffic-interval", "PT10S", "--traffic-window", "PT30M", "--traffic-routes", "20");
    var admin = new AdminCommand();
    new CommandLine(admin).parseArgs();

    var options = standalone.trafficView.toOptions();

    assertThat(options.interval()).isEqualTo(java.time.Duration.ofSeconds(10));
    assertThat(options.capacity()).isEqualTo(180);
    assertThat(options.routes()).isEqualTo(20);
    assertThat(admin.trafficView.toOptions())
        .isEqualTo(dev.crossgate.admin.traffic.TrafficOptions.DEFAULTS);
    for (var wrong :
        new String[][] {
          {"--traffic-interval", "PT0.5S"},
          {"--traffic-window", "PT90S"},
          {"--traffic-window", "PT2H"},
          {"--traffic-routes", "51"}
        }) {
      var command = new AdminCommand();
      new CommandLine(command).parseArgs(wrong);
      assertThatThrownBy(() -> command.trafficView.toOptions())
          .as(String.join(" ", wrong))
          .isInstanceOf(CommandLine.ParameterException.class);
    }
  }

  @Test
  void theKeySetCacheBoundsAreFlagsAndAWrongOneIsAUsageError() {
    var standalone = new StandaloneCommand();
    new CommandLine(standalone)
        .parseArgs(
            "--jwks-min-cache",
            "PT5M",
            "--jwks-max-cache",
            "PT1H",
            "--jwks-refresh-interval",
            "PT30S");

    var options = standalone.tokens.toOptions();

    assertThat(options.minKeyCache()).isEqualTo(java.time.Duration.ofMinutes(5));
    assertThat(options.maxKeyCache()).isEqualTo(java.time.Duration.ofHours(1));
    assertThat(options.defaultKeyCache()).isEqualTo(java.time.Duration.ofMinutes(10));
    assertThat(options.unknownKeyRefresh()).isEqualTo(java.time.Duration.ofSeconds(30));
    var wrong = new StandaloneCommand();
    new CommandLine(wrong).parseArgs("--jwks-min-cache", "PT2H", "--jwks-max-cache", "PT1H");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> wrong.tokens.toOptions())
        .isInstanceOf(picocli.CommandLine.ParameterException.class)
        .hasMessageContaining("Invalid JWKS options");
  }

  @Test
  void everyRoleTakesALogFormatInAnyCaseAndRefusesAnUnknownOne() {
    for (var role : java.util.List.of("standalone", "admin", "gateway", "agent")) {
      var spec =
          Crossgate.commandLine(new String[0], java.util.Map.of())
              .getSubcommands()
              .get(role)
              .getCommandSpec();
      assertThat(spec.findOption("--log-format")).as(role).isNotNull();
    }
    var standalone = new StandaloneCommand();
    new CommandLine(standalone).parseArgs("--log-format", "JSON");
    assertThat(standalone.common.logFormat).isEqualTo(LogFormat.JSON);
    var out = new java.io.StringWriter();
    var cli = Crossgate.commandLine(new String[0], java.util.Map.of());
    cli.setErr(new java.io.PrintWriter(out));

    int exit = cli.execute("standalone", "--log-format", "xml");

    assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(out.toString())
        .startsWith("crossgate standalone: --log-format: 'xml' is not a log format (text or json)");
  }

  @Test
  void tracingIsOffWithoutAnEndpointAndABadRatioOrEndpointIsAUsageError() {
    var off = new StandaloneCommand();
    new CommandLine(off).parseArgs();
    assertThat(off.traces.toTracing("crossgate").on()).isFalse();

    var ratio = new StandaloneCommand();
    new CommandLine(ratio).parseArgs("--trace-sampling", "2");
    var endpoint = new StandaloneCommand();
    new CommandLine(endpoint).parseArgs("--otlp-endpoint", "ftp://collector:4318");

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ratio.traces.toTracing("crossgate"))
        .isInstanceOf(picocli.CommandLine.ParameterException.class)
        .hasMessage("--trace-sampling: 2.0 is not a ratio between 0 and 1");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> endpoint.traces.toTracing("crossgate"))
        .isInstanceOf(picocli.CommandLine.ParameterException.class)
        .hasMessageStartingWith("--otlp-endpoint: the OTLP endpoint is an http(s) URL");
  }

  @Test
  void anAgentGatewayTimeoutOutsideOneMillisecondToADayIsAUsageErrorNotAStackTrace() {
    for (var value : java.util.List.of("0s", "2d", "99999999999d")) {
      var out = new java.io.StringWriter();
      var cli = Crossgate.commandLine(new String[0], java.util.Map.of());
      cli.setErr(new java.io.PrintWriter(out));

      int exit =
          cli.execute(
              "agent", "--gateway", "http://gw:9000", "--api-key", "k", "--gateway-timeout", value);

      assertThat(exit).as(value).isEqualTo(CommandLine.ExitCode.USAGE);
      assertThat(out.toString())
          .as(value)
          .startsWith("crossgate agent: --gateway-timeout must be 1ms to 1d")
          .doesNotContain("Exception");
    }
  }

  @Test
  void theAgentTakesTheSameTracingFlagsAsTheGatewayRoles() {
    var agent = new AgentCommand();
    new CommandLine(agent)
        .parseArgs(
            "--gateway",
            "http://gw:9000",
            "--api-key",
            "k",
            "--otlp-endpoint",
            "http://127.0.0.1:4318");
    var wrong = new AgentCommand();
    new CommandLine(wrong)
        .parseArgs("--gateway", "http://gw:9000", "--api-key", "k", "--trace-sampling", "-1");

    try (var tracing = agent.traces.toTracing("crossgate-agent")) {
      assertThat(tracing.on()).isTrue();
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> wrong.traces.toTracing("crossgate-agent"))
        .isInstanceOf(picocli.CommandLine.ParameterException.class)
        .hasMessage("--trace-sampling: -1.0 is not a ratio between 0 and 1");
  }

  @Test
  void standaloneKeepsItsDatabaseOptions() {
    var standalone = new StandaloneCommand();

    new CommandLine(standalone).parseArgs("--db", "jdbc:h2:mem:x");

    assertThat(standalone.storage.database.db).isEqualTo("jdbc:h2:mem:x");
  }

  @Test
  void theAgentRoleIsASubcommandWithTheContractsOptions() {
    var parsed =
        new CommandLine(new Crossgate())
            .parseArgs(
                "agent",
                "--gateway",
                "http://gw:9000",
                "--api-key",
                "k",
                "--agent-port",
                "7001",
                "--data-dir",
                "/tmp/a",
                "--callback-allow",
                "http://app:8080/hooks/,http://b/",
                "--gateway-ca",
                "/etc/crossgate/gateway-ca.pem");
    AgentCommand agent = parsed.subcommand().commandSpec().commandLine().getCommand();

    assertThat(agent.gateway).isEqualTo("http://gw:9000");
    assertThat(agent.port).isEqualTo(7001);
    assertThat(agent.callbackAllow).containsExactly("http://app:8080/hooks/", "http://b/");
    assertThat(agent.gatewayCa).isEqualTo(Path.of("/etc/crossgate/gateway-ca.pem"));
  }

  @Test
  void tlsCertificatesPairWithKeysByPositionAndCleartextClosesUnlessItsPortIsGiven() {
    var standalone = new StandaloneCommand();

    new CommandLine(standalone)
        .parseArgs(
            "--gateway-tls-cert",
            "a.crt",
            "--gateway-tls-key",
            "a.key",
            "--gateway-tls-cert",
            "b.crt",
            "--gateway-tls-key",
            "b.key");
    var tls = standalone.gateway.toTls();

    assertThat(tls.pairs())
        .containsExactly(
            new TrafficTls.Pair(Path.of("a.crt"), Path.of("a.key")),
            new TrafficTls.Pair(Path.of("b.crt"), Path.of("b.key")));
    assertThat(tls.port()).isEqualTo(9443);
    assertThat(tls.cleartext()).isFalse();
    assertThat(tls.clientAuth()).isEqualTo(TrafficTls.ClientAuth.NONE);
  }

  @Test
  void anOperatorWhoNamesTheCleartextPortKeepsItBesideTls() {
    var standalone = new StandaloneCommand();

    new CommandLine(standalone)
        .parseArgs(
            "--gateway-port",
            "9000",
            "--gateway-tls-cert",
            "a.crt",
            "--gateway-tls-key",
            "a.key",
            "--gateway-tls-client-ca",
            "ca.pem",
            "--gateway-tls-client-auth",
            "required");
    var tls = standalone.gateway.toTls();

    assertThat(tls.cleartext()).isTrue();
    assertThat(tls.clientAuth()).isEqualTo(TrafficTls.ClientAuth.REQUIRED);
    assertThat(tls.clientCa()).isEqualTo(Path.of("ca.pem"));
  }

  @Test
  void withoutTlsFlagsTheTrafficPortStaysCleartextAsBefore() {
    var standalone = new StandaloneCommand();

    new CommandLine(standalone).parseArgs();

    assertThat(standalone.gateway.toTls()).isNull();
    assertThat(standalone.gateway.port).isEqualTo(9000);
  }

  @Test
  void aCertificateWithoutItsKeyOrClientAuthWithoutACaIsAUsageError() {
    var unpaired = new StandaloneCommand();
    new CommandLine(unpaired).parseArgs("--gateway-tls-cert", "a.crt");
    var noCa = new StandaloneCommand();
    new CommandLine(noCa)
        .parseArgs(
            "--gateway-tls-cert",
            "a.crt",
            "--gateway-tls-key",
            "a.key",
            "--gateway-tls-client-auth",
            "required");

    assertThatThrownBy(unpaired.gateway::toTls)
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("pair by position");
    assertThatThrownBy(noCa.gateway::toTls)
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("client certificates need a CA");
  }
}
