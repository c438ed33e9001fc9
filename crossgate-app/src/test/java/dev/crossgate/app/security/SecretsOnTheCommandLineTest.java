package dev.crossgate.app.security;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.crossgate.app.AppAccess;
import dev.crossgate.app.Crossgate;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * A guessable admin token, and secrets that every local user can read in {@code ps}: a short {@code
 * --admin-token} is refused before anything starts, and both tokens can come from files. Each
 * refusal is a usage error (exit code 2) that names the option, not a stack trace.
 */
class SecretsOnTheCommandLineTest {
  @TempDir Path dir;
  private final StringWriter err = new StringWriter();
  private final CommandLine cli = new CommandLine(new Crossgate()).setErr(new PrintWriter(err));

  @Test
  void anAdminTokenShorterThan24CharactersIsRefusedAtStartAndNothingIsWritten() {
    int exit =
        cli.execute(
            "admin", "--data-dir", dir.resolve("data").toString(), "--admin-token", "cga_short");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .contains("--admin-token is too short (9 characters); use at least 24")
        .doesNotContain("Exception");
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @Test
  void aShortAdminTokenInAFileIsRefusedToo() throws Exception {
    var file = secretFile("admin-token", "short\n");

    int exit =
        cli.execute(
            "standalone",
            "--data-dir",
            dir.resolve("data").toString(),
            "--admin-token-file",
            file.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("--admin-token is too short");
  }

  @Test
  void anAdminTokenAndAnAdminTokenFileTogetherAreRefused() throws Exception {
    var file = secretFile("admin-token", "cga_0123456789abcdef0123456789");

    int exit =
        cli.execute(
            "admin",
            "--data-dir",
            dir.resolve("data").toString(),
            "--admin-token",
            "cga_0123456789abcdef0123456789",
            "--admin-token-file",
            file.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("--admin-token and --admin-token-file are alternatives");
  }

  @Test
  void aMissingTokenFileIsAUsageErrorNamingTheFile() {
    int exit =
        cli.execute(
            "admin",
            "--data-dir",
            dir.resolve("data").toString(),
            "--cluster-token-file",
            dir.resolve("nope").toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("cannot read --cluster-token-file").contains("nope");
  }

  @Test
  void aGatewayNodeWithoutAnyClusterTokenIsRefusedBeforeItStarts() {
    int exit =
        cli.execute(
            "gateway",
            "--data-dir",
            dir.resolve("data").toString(),
            "--control-plane",
            "http://127.0.0.1:1");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("needs the cluster token");
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @Test
  void tokenFilesAreReadTrimmedAndAWorldReadableOneIsWarnedAbout() throws Exception {
    var adminToken = secretFile("admin-token", "  cga_0123456789abcdef0123456789\n");
    var clusterToken = secretFile("cluster-token", "cluster-secret-from-a-file\n");
    Files.setPosixFilePermissions(clusterToken, PosixFilePermissions.fromString("rw-r--r--"));
    var log = new ListAppender<ILoggingEvent>();
    log.start();
    var root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(log);
    try {
      var parsed =
          cli.parseArgs(
              "admin",
              "--data-dir",
              dir.toString(),
              "--admin-token-file",
              adminToken.toString(),
              "--cluster-token-file",
              clusterToken.toString());
      var options =
          AppAccess.controlPlaneOptions(
              parsed.subcommand().commandSpec().commandLine().getCommand());

      assertThat(options.adminToken()).isEqualTo("cga_0123456789abcdef0123456789");
      assertThat(options.cluster().clusterToken()).isEqualTo("cluster-secret-from-a-file");
      assertThat(log.list)
          .anyMatch(
              e ->
                  e.getFormattedMessage().contains("secret-file-readable-by-others")
                      && e.getFormattedMessage().contains("cluster-token"));
      assertThat(log.list)
          .noneMatch(e -> e.getFormattedMessage().contains("cluster-secret-from-a-file"));
    } finally {
      root.detachAppender(log);
    }
  }

  private Path secretFile(String name, String content) throws Exception {
    var file = Files.writeString(dir.resolve(name), content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }
}
