package dev.crossgate.app;

import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** How a client command reaches the Admin API: its URL and an admin token. */
final class AdminClientFlags {
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(
      names = "--admin",
      defaultValue = "http://127.0.0.1:9080",
      description = "The control plane's Admin API (default: ${DEFAULT-VALUE}).")
  URI admin;

  @Option(
      names = "--token",
      defaultValue = "${env:CROSSGATE_ADMIN_TOKEN}",
      description = "Admin token (or env CROSSGATE_ADMIN_TOKEN, or --token-file).")
  String token;

  @Option(
      names = "--token-file",
      description = "File holding the admin token (trimmed): keeps it out of the process list.")
  Path tokenFile;

  @Option(
      names = "--admin-ca",
      description = "PEM CA certificate(s) of an https Admin API (default: the JVM's trust store).")
  Path adminCa;

  AdminClient client() {
    var resolved = SecretFlags.resolve(command.commandLine(), "--token", token, tokenFile);
    if (resolved == null) {
      throw new ParameterException(
          command.commandLine(),
          "an admin token is needed: --token-file, --token or CROSSGATE_ADMIN_TOKEN");
    }
    return new AdminClient(admin, resolved, adminCa);
  }
}
