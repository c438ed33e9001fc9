package dev.crossgate.app;

import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** How a role with listeners stops (admin, gateway, standalone). */
final class DrainFlags {
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(
      names = "--drain-period",
      defaultValue = "PT5S",
      description =
          "On SIGTERM, how long /readyz answers 503 "
              + "while the listeners still serve, so load balancers stop sending new requests before they close; requests "
              + "in flight then get up to 10 s more to finish. ISO-8601; PT0S closes at once (default: ${DEFAULT-VALUE}).")
  Duration drainPeriod;

  Duration drainPeriod() {
    if (drainPeriod.isNegative()) {
      throw new ParameterException(command.commandLine(), "--drain-period must not be negative");
    }
    return drainPeriod;
  }
}
