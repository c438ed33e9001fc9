package dev.crossgate.app;

import dev.crossgate.egress.EgressPolicy;
import java.util.List;
import java.util.stream.IntStream;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The egress allow-list of every role that connects to addresses tenants or callers choose
 * (standalone, gateway and admin: transfer targets, extension endpoints and artifacts; agent:
 * callbacks). Operator-configured route upstreams are not subject to it.
 */
final class EgressFlags {
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(
      names = "--egress-allow",
      split = ",",
      paramLabel = "CIDR|HOST",
      description =
          "Non-public addresses "
              + "that tenant- or caller-chosen URLs (transfer targets, extension endpoints and artifacts, agent callbacks) "
              + "may reach, comma-separated: CIDR blocks (10.0.0.0/8, fd00::/8), addresses, host names (uploads.internal) "
              + "or *.suffix names. Default: none, only public addresses; loopback, link-local (cloud metadata), private, "
              + "CGNAT, multicast and this process's own ports are refused.")
  List<String> allow = List.of();

  /** The policy, refusing {@code ownPorts} on this host whatever the allow-list says. */
  EgressPolicy toPolicy(int... ownPorts) {
    try {
      // port 0 (an ephemeral port) is added by the server once it is bound
      return EgressPolicy.allowing(allow)
          .withOwnPorts(IntStream.of(ownPorts).filter(p -> p > 0).boxed().toList());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          command.commandLine(), "Invalid --egress-allow: " + e.getMessage());
    }
  }
}
