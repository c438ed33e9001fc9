package dev.crossgate.app;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where a flag not given on the command line takes its value from, in order: the environment
 * ({@code --admin-port} is {@code CROSSGATE_ADMIN_PORT}), then the options file ({@code
 * --options-file FILE} or {@code CROSSGATE_OPTIONS_FILE}: Java properties, {@code admin-port =
 * 9081}), then the flag's own default. A flag on the command line wins over all three.
 */
final class FlagDefaults implements IDefaultValueProvider {
  static final String OPTIONS_FILE = "--options-file";
  private static final String ENV_PREFIX = "CROSSGATE_";

  private final Map<String, String> env;
  private final Path file;
  private final Properties fromFile;

  private FlagDefaults(Map<String, String> env, Path file, Properties fromFile) {
    this.env = env;
    this.file = file;
    this.fromFile = fromFile;
  }

  /**
   * The defaults for one run: {@code --options-file} is looked up in {@code args} before they are
   * parsed, since defaults are applied first.
   *
   * @throws IllegalArgumentException the options file cannot be read
   */
  static FlagDefaults of(String[] args, Map<String, String> env) {
    String named = env.get(envName(OPTIONS_FILE));
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals(OPTIONS_FILE) && i + 1 < args.length) {
        named = args[i + 1];
      } else if (args[i].startsWith(OPTIONS_FILE + "=")) {
        named = args[i].substring(OPTIONS_FILE.length() + 1);
      }
    }
    var properties = new Properties();
    Path file = named == null || named.isBlank() ? null : Path.of(named);
    if (file != null) {
      try (Reader in = Files.newBufferedReader(file)) {
        properties.load(in);
      } catch (IOException | IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "options file " + file + " cannot be read: " + e.getMessage());
      }
    }
    return new FlagDefaults(Map.copyOf(env), file, properties);
  }

  /** {@code --admin-port} → {@code CROSSGATE_ADMIN_PORT}. */
  static String envName(String flag) {
    return ENV_PREFIX + key(flag).toUpperCase(Locale.ROOT).replace('-', '_');
  }

  private static String key(String flag) {
    return flag.replaceFirst("^-+", "");
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option)
        || option.usageHelp()
        || option.versionHelp()
        || option.longestName().equals(OPTIONS_FILE)) {
      return null;
    }
    var fromEnv = env.get(envName(option.longestName()));
    return fromEnv != null ? fromEnv : fromFile.getProperty(key(option.longestName()));
  }

  /**
   * Keys of the options file that no command of {@code cli} has as a flag: a misspelt key would
   * otherwise be ignored without a word.
   */
  Set<String> unknownKeys(CommandLine cli) {
    var known = new TreeSet<String>();
    collect(cli, known);
    var unknown = new TreeSet<String>();
    for (var name : fromFile.stringPropertyNames()) {
      if (!known.contains(key(name))) {
        unknown.add(name);
      }
    }
    return unknown;
  }

  Path file() {
    return file;
  }

  private static void collect(CommandLine cli, Set<String> known) {
    for (var option : cli.getCommandSpec().options()) {
      known.add(key(option.longestName()));
    }
    for (var sub : cli.getSubcommands().values()) {
      collect(sub, known);
    }
  }
}
