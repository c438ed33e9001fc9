package dev.crossgate.app;

import dev.crossgate.agent.Agent;
import dev.crossgate.agent.AgentOptions;
import dev.crossgate.http.Transports;
import dev.crossgate.id.Ids;
import dev.crossgate.store.OwnerOnlyFiles;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code crossgate agent}: the caller-side proxy client (DESIGN.md "The agent"). */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description =
        "Run the caller-side agent: forwards queries, supervises analyses, delivers results to callbacks.")
final class AgentCommand implements Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  private static final Logger LOG = LoggerFactory.getLogger(AgentCommand.class);
  static final String SECRET_FILE = "webhook-secret";

  @Mixin CommonFlags common = new CommonFlags();
  @Mixin EgressFlags egress = new EgressFlags();

  @Mixin TracingFlags traces = new TracingFlags();

  @Option(
      names = "--gateway",
      required = true,
      description = "The gateway's URL, e.g. http://gw:9000.")
  String gateway;

  @Option(
      names = "--api-key",
      required = true,
      defaultValue = "${env:CROSSGATE_API_KEY}",
      description = "This caller network's API key (or env CROSSGATE_API_KEY).")
  String apiKey;

  @Option(
      names = "--gateway-ca",
      description =
          "PEM CA certificate(s) to verify an https gateway with, e.g. a "
              + "private CA (default: the JVM's trust store).")
  Path gatewayCa;

  @Option(
      names = "--agent-port",
      converter = PortNumber.class,
      defaultValue = "7000",
      description = "Port callers use (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--callback-allow",
      split = ",",
      description =
          "URL prefixes callback URLs must start with, "
              + "comma-separated, e.g. http://app.internal:8080/hooks/ (default: none, callers poll the agent). A callback's "
              + "address must also pass the egress policy: add private hosts to --egress-allow.")
  List<String> callbackAllow = List.of();

  @Option(
      names = "--webhook-secret",
      defaultValue = "${env:CROSSGATE_WEBHOOK_SECRET}",
      description =
          "Standard "
              + "Webhooks signing secret, whsec_<base64> (or env CROSSGATE_WEBHOOK_SECRET). When absent, one is generated "
              + "on first start and kept in the data dir.")
  String webhookSecret;

  @Option(
      names = "--poll-max",
      defaultValue = "PT30S",
      description = "Longest wait between polls of one task " + "(default: ${DEFAULT-VALUE}).")
  Duration pollMax;

  @Option(
      names = "--max-concurrent",
      defaultValue = "32",
      description = "Gateway calls and deliveries at once " + "(default: ${DEFAULT-VALUE}).")
  int maxConcurrent;

  @Option(
      names = "--gateway-timeout",
      defaultValue = "PT120S",
      description =
          "How long a query waits on a silent gateway, for the head and then between body pieces "
              + "(default: ${DEFAULT-VALUE}; above a route's own timeouts, so the gateway's 504 "
              + "is what callers see).")
  Duration gatewayTimeout;

  @Override
  public Integer call() {
    common.logFormat.apply();
    // compared, not converted: toMillis of a huge duration overflows
    if (gatewayTimeout.compareTo(Duration.ofMillis(1)) < 0
        || gatewayTimeout.compareTo(Duration.ofDays(1)) > 0) {
      throw new ParameterException(
          spec.commandLine(), "--gateway-timeout must be 1ms to 1d, got " + gatewayTimeout);
    }
    var vertx = Vertx.vertx(Transports.vertxOptions());
    var secret =
        webhookSecret == null || webhookSecret.isBlank() ? secret(common.dataDir) : webhookSecret;
    var defaults = AgentOptions.defaults(gateway, apiKey, common.dataDir, secret);
    var options =
        defaults
            .withListen(common.bind, port)
            .withCallbackAllow(callbackAllow)
            .withEgress(egress.toPolicy(port))
            .withGatewayTimeout(gatewayTimeout)
            .withPolling(
                defaults.pollInitial(),
                pollMax.compareTo(defaults.pollInitial()) < 0 ? defaults.pollInitial() : pollMax,
                maxConcurrent);
    var tracing = traces.toTracing("crossgate-agent");
    // the agent has no /readyz: nothing to drain before it closes
    return RoleRunner.run(
        spec,
        vertx,
        common.dataDir,
        Duration.ZERO,
        () ->
            Agent.start(vertx, options, gatewayCa, Metrics.processRegistry()::scrape, tracing)
                .map(
                    agent -> {
                      LOG.info(
                          "crossgate agent ready agent=http://{}:{} gateway={} callbackAllow={}"
                              + " transport={}",
                          common.bind,
                          agent.port(),
                          options.gatewayUrl(),
                          options.callbackAllow(),
                          vertx.isNativeTransportEnabled() ? "native" : "nio");
                      return new RoleRunner.Running(null, agent::close);
                    }));
  }

  /**
   * The generated secret, created once (owner-only file) so signatures stay valid across restarts.
   */
  private static String secret(Path dataDir) {
    var file = dataDir.resolve(SECRET_FILE);
    try {
      if (Files.exists(file)) {
        return Files.readString(file).trim();
      }
      OwnerOnlyFiles.createDirectories(dataDir);
      var secret =
          "whsec_"
              + java.util.Base64.getEncoder()
                  .encodeToString(java.util.Base64.getUrlDecoder().decode(Ids.randomToken(32)));
      OwnerOnlyFiles.write(file, (secret + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      LOG.warn("generated webhook signing secret, saved in {}", file.toAbsolutePath().normalize());
      return secret;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the webhook secret in " + file, e);
    }
  }
}
