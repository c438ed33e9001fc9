package dev.crossgate.app;

import dev.crossgate.admin.traffic.TrafficOptions;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** How the control plane's traffic view samples (admin, standalone). */
final class TrafficFlags {
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(
      names = "--traffic-interval",
      defaultValue = "PT5S",
      description =
          "How often the console's traffic view takes a sample: this process's node's meters and what "
              + "cluster nodes reported since the previous one. ISO-8601, 1 s to 1 min (default: ${DEFAULT-VALUE}).")
  Duration interval;

  @Option(
      names = "--traffic-window",
      defaultValue = "PT15M",
      description =
          "How far back the traffic view remembers (in memory), whole minutes, 1 to 60 "
              + "(default: ${DEFAULT-VALUE}).")
  Duration window;

  @Option(
      names = "--traffic-routes",
      defaultValue = "50",
      description =
          "The busiest routes kept per node and sample, 1 to 50 (default: ${DEFAULT-VALUE}).")
  int routes;

  TrafficOptions toOptions() {
    try {
      return new TrafficOptions(interval, window, routes);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(command.commandLine(), e.getMessage());
    }
  }
}
