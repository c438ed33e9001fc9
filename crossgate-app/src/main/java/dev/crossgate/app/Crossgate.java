package dev.crossgate.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code crossgate} executable: one jar, one subcommand per role (DESIGN.md "Roles"). */
@Command(
    name = "crossgate",
    mixinStandardHelpOptions = true,
    versionProvider = Crossgate.Version.class,
    description = "Crossgate: an API gateway for data that crosses networks.",
    subcommands = {
      StandaloneCommand.class,
      AdminCommand.class,
      GatewayCommand.class,
      SendCommand.class,
      AgentCommand.class,
      DbCommand.class,
      ConfigCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Crossgate implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    int exit = new CommandLine(new Crossgate()).execute(args);
    if (exit != 0) {
      System.exit(exit);
    }
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      var v = Crossgate.class.getPackage().getImplementationVersion();
      return new String[] {"crossgate " + (v == null ? "dev" : v)};
    }
  }
}
