package dev.crossgate.app;

import dev.crossgate.gateway.auth.TokenOptions;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * How a node keeps token issuers' key sets, for the roles that serve traffic (standalone, gateway).
 */
final class TokenFlags {
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(
      names = "--jwks-min-cache",
      defaultValue = "PT60S",
      description =
          "The shortest a fetched key set of a token issuer is kept, whatever its Cache-Control"
              + " says (default: ${DEFAULT-VALUE}).")
  Duration minCache;

  @Option(
      names = "--jwks-max-cache",
      defaultValue = "PT24H",
      description =
          "The longest a fetched key set is kept, whatever its max-age says (default:"
              + " ${DEFAULT-VALUE}).")
  Duration maxCache;

  @Option(
      names = "--jwks-refresh-interval",
      defaultValue = "PT60S",
      description =
          "A token naming a key id its issuer's cached set lacks refetches the set at most once per"
              + " this interval per issuer (default: ${DEFAULT-VALUE}).")
  Duration refreshInterval;

  TokenOptions toOptions() {
    var defaults = TokenOptions.defaults();
    try {
      return new TokenOptions(
          minCache,
          maxCache,
          defaults.defaultKeyCache(),
          refreshInterval,
          defaults.fetchTimeout(),
          defaults.maxKeySetBytes());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          command.commandLine(), "Invalid JWKS options: " + e.getMessage());
    }
  }
}
