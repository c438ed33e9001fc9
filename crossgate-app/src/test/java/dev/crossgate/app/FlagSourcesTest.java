package dev.crossgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Where the launcher's flags come from (command line over environment over options file over
 * default) and what a wrong one prints: one line naming the flag, never the usage text.
 */
class FlagSourcesTest {
  @TempDir Path dir;

  private StandaloneCommand standalone(Map<String, String> env, String... args) {
    var cli = Crossgate.commandLine(args, env);
    var parsed = cli.parseArgs(args);
    return parsed.subcommand().commandSpec().commandLine().getCommand();
  }

  @Test
  void theCommandLineWinsOverTheEnvironmentWhichWinsOverTheOptionsFile() throws Exception {
    var file = dir.resolve("crossgate.conf");
    Files.writeString(
        file,
        "admin-port = 7001\ngateway-port = 7002\nmax-header-bytes = 32KiB\nbind = 127.0.0.2\n");
    var env = Map.of("CROSSGATE_ADMIN_PORT", "7101", "CROSSGATE_GATEWAY_PORT", "7102");

    var fileOnly = standalone(Map.of(), "standalone", "--options-file", file.toString());
    var fileAndEnv = standalone(env, "standalone", "--options-file", file.toString());
    var all = standalone(env, "standalone", "--options-file=" + file, "--gateway-port", "7202");
    var none = standalone(Map.of(), "standalone");

    assertThat(fileOnly.storage.adminPort).isEqualTo(7001);
    assertThat(fileOnly.gateway.port).isEqualTo(7002);
    assertThat(fileOnly.gateway.maxHeaderBytes).isEqualTo(32 * 1024);
    assertThat(fileAndEnv.storage.adminPort).isEqualTo(7101);
    assertThat(fileAndEnv.gateway.port).isEqualTo(7102);
    assertThat(fileAndEnv.common.bind).as("only in the file").isEqualTo("127.0.0.2");
    assertThat(all.gateway.port).isEqualTo(7202);
    assertThat(all.storage.adminPort).isEqualTo(7101);
    assertThat(none.storage.adminPort).isEqualTo(9080);
    assertThat(none.gateway.port).isEqualTo(9000);
  }

  @Test
  void theOptionsFileMayComeFromTheEnvironmentAndAMisspeltKeyIsRefused() throws Exception {
    var good = dir.resolve("good.conf");
    Files.writeString(good, "admin-port = 7301\n");
    var misspelt = dir.resolve("bad.conf");
    Files.writeString(misspelt, "admin-prot = 7301\n");

    var fromEnv = standalone(Map.of("CROSSGATE_OPTIONS_FILE", good.toString()), "standalone");

    assertThat(fromEnv.storage.adminPort).isEqualTo(7301);
    assertThatThrownBy(
            () ->
                Crossgate.commandLine(
                    new String[] {"--options-file", misspelt.toString()}, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("admin-prot");
    assertThatThrownBy(
            () ->
                Crossgate.commandLine(
                    new String[] {"--options-file", dir.resolve("missing").toString()}, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot be read");
  }

  @Test
  void durationsTakeUnitsAsWellAsIsoAndSizesTakeBinaryUnits() {
    var send = send("--chunk-size", "4MiB");
    var converter = new DurationValue();

    assertThat(send.chunkSize).isEqualTo(4 * 1024 * 1024);
    assertThat(send.digest).isEqualTo("sha-256");
    assertThat(standalone(Map.of(), "standalone", "--drain-period", "24h").drain.drainPeriod)
        .isEqualTo(Duration.ofHours(24));
    assertThat(converter.convert("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(converter.convert("PT2S")).isEqualTo(Duration.ofSeconds(2));
    assertThatThrownBy(() -> converter.convert("24x"))
        .isInstanceOf(CommandLine.TypeConversionException.class);
  }

  @Test
  void sendTakesTheCheaperCrc32cDigestOnlyWhenAskedFor() {
    var send = send("--digest", "crc32c");

    assertThat(send.digest).isEqualTo("crc32c");
  }

  @Test
  void aBadValueIsOneLineNamingTheFlagAndExitsWithTheUsageCode() {
    for (var args :
        new String[][] {
          {"standalone", "--admin-port", "abc"},
          {"standalone", "--admin-port", "70000"},
          {"standalone", "--drain-period", "soon"},
          {"send", "--chunk-size", "4MB", "f", "http://gw"},
          {"send", "--digest", "md5", "f", "http://gw"},
        }) {
      var err = new StringWriter();
      var cli = Crossgate.commandLine(args, Map.of());
      cli.setErr(new PrintWriter(err));

      int exit = cli.execute(args);

      assertThat(exit).as(String.join(" ", args)).isEqualTo(CommandLine.ExitCode.USAGE);
      var lines = err.toString().lines().toList();
      assertThat(lines.get(0)).startsWith("crossgate " + args[0] + ": " + args[1] + ": '");
      assertThat(err.toString()).doesNotContain("Usage:").doesNotContain("Exception");
      assertThat(lines).hasSizeLessThanOrEqualTo(3);
    }
  }

  @Test
  void sendBuildsOnlyItsOwnCommandUnlessAnOptionsFileNamesFlagsOfOtherCommands() throws Exception {
    String[] args = {"send", "--api-key", "k", "--chunk-size", "4MiB", "f", "http://gw"};
    var file = dir.resolve("crossgate.conf");
    Files.writeString(file, "admin-port = 7001\nparallel = 3\n");

    var alone = Crossgate.commandLine(args, Map.of());
    var withFile = Crossgate.commandLine(args, Map.of("CROSSGATE_OPTIONS_FILE", file.toString()));

    assertThat(alone.getSubcommands()).containsOnlyKeys("send");
    SendCommand sent = alone.parseArgs(args).subcommand().commandSpec().commandLine().getCommand();
    assertThat(sent.chunkSize).isEqualTo(4 * 1024 * 1024);
    assertThat(sent.parallel).isEqualTo(2);
    assertThat(withFile.getSubcommands()).containsKeys("send", "standalone", "gateway");
    SendCommand fromFile =
        withFile.parseArgs(args).subcommand().commandSpec().commandLine().getCommand();
    assertThat(fromFile.parallel).isEqualTo(3);
  }

  @Test
  void everyFlagHasItsEnvironmentName() {
    assertThat(FlagDefaults.envName("--admin-port")).isEqualTo("CROSSGATE_ADMIN_PORT");
    assertThat(FlagDefaults.envName("--transfer-max-chunk"))
        .isEqualTo("CROSSGATE_TRANSFER_MAX_CHUNK");
  }

  /** {@code crossgate send} parsed with {@code flags} (and an API key, a file and a URL). */
  private static SendCommand send(String... flags) {
    var args = new ArrayList<>(List.of("send", "--api-key", "k"));
    args.addAll(List.of(flags));
    args.addAll(List.of("f", "http://gw"));
    return Crossgate.commandLine(new String[0], Map.of())
        .parseArgs(args.toArray(String[]::new))
        .subcommand()
        .commandSpec()
        .commandLine()
        .getCommand();
  }
}
