package dev.crossgate.app;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.helpers.NOP_FallbackServiceProvider;
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

  @CommandLine.Option(
      names = FlagDefaults.OPTIONS_FILE,
      scope = CommandLine.ScopeType.INHERIT,
      paramLabel = "FILE",
      description =
          "Java properties file of flag values (admin-port = 9081); the environment "
              + "(CROSSGATE_ADMIN_PORT) overrides it, the command line overrides both. Also CROSSGATE_OPTIONS_FILE.")
  java.nio.file.Path optionsFile;

  /** The long-running roles; every other command is a tool whose output is for the user. */
  private static final java.util.Set<String> ROLES =
      java.util.Set.of("standalone", "admin", "gateway", "agent");

  public static void main(String[] args) {
    if (args.length > 0
        && !ROLES.contains(args[0])
        && System.getenv("CROSSGATE_LOG_LEVEL") == null) {
      // a command's terminal shows what it says, not log lines: its failures are its own one-line
      // messages (logback reads this property first, so it must be set before any logger exists;
      // CROSSGATE_LOG_LEVEL=info brings them)
      System.setProperty("CROSSGATE_LOG_LEVEL", "OFF");
      if (args[0].equals("send")) {
        // a send starts once per file: with its lines off, starting logback (an XML
        // configuration, JSON encoders: about 700 classes) is not worth its CPU
        System.setProperty("slf4j.provider", NOP_FallbackServiceProvider.class.getName());
        System.setProperty("slf4j.internal.verbosity", "WARN");
      }
    }
    int exit;
    try {
      exit = commandLine(args, System.getenv()).execute(args);
    } catch (IllegalArgumentException e) {
      System.err.println("crossgate: " + e.getMessage());
      exit = CommandLine.ExitCode.USAGE;
    }
    if (exit != 0) {
      System.exit(exit);
    }
  }

  /**
   * The command line as the launcher runs it: durations as {@code 24h} or ISO-8601, defaults from
   * the environment and the options file, and one-line usage errors.
   *
   * @throws IllegalArgumentException the options file cannot be read or names unknown flags
   */
  static CommandLine commandLine(String[] args, Map<String, String> env) {
    var defaults = FlagDefaults.of(args, env);
    boolean sendOnly = args.length > 0 && args[0].equals("send") && defaults.file() == null;
    var cli = new CommandLine(sendOnly ? new SendOnly() : new Crossgate());
    cli.registerConverter(Duration.class, new DurationValue());
    var unknown = defaults.unknownKeys(cli);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "options file " + defaults.file() + " names flags that do not exist: " + unknown);
    }
    cli.setDefaultValueProvider(defaults);
    cli.setParameterExceptionHandler(Crossgate::usageError);
    return cli;
  }

  /**
   * A bad flag is one line naming the flag and what is wrong, and where the flags are listed, not
   * the whole usage text. Exit code 2, or the command's own ({@code config}: 64).
   */
  private static int usageError(CommandLine.ParameterException e, String[] args) {
    var cli = e.getCommandLine();
    var err = cli.getErr();
    var message = INVALID_VALUE.matcher(String.valueOf(e.getMessage())).replaceFirst("$1: ");
    err.println(cli.getCommandSpec().qualifiedName() + ": " + message);
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    err.println("See '" + cli.getCommandSpec().qualifiedName() + " --help' for its flags.");
    return cli.getCommandSpec().exitCodeOnInvalidInput();
  }

  private static final Pattern INVALID_VALUE =
      Pattern.compile("^Invalid value for option '([^']+)': ");

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * The command tree of {@code crossgate send} alone. A send runs in a fresh JVM once per file, and
   * picocli reads every subcommand's flags when it builds the tree: the roles' flags cost about 0.2
   * of the 1 CPU-s a send took to start (bench/transfer/RESULTS.md). Only without an options file,
   * whose flags of any command are checked against the whole tree.
   */
  @Command(
      name = "crossgate",
      mixinStandardHelpOptions = true,
      versionProvider = Crossgate.Version.class,
      subcommands = SendCommand.class)
  static final class SendOnly {}

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      var v = Crossgate.class.getPackage().getImplementationVersion();
      return new String[] {"crossgate " + (v == null ? "dev" : v)};
    }
  }
}
