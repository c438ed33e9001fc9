package dev.crossgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive as an operator uses it: unpacked into an empty directory, its {@code
 * bin/crossgate} prints the version and runs a role, and its systemd unit passes {@code
 * systemd-analyze verify}.
 */
class ReleaseArchiveIT {
  private static final String READY =
      "crossgate standalone ready admin=http://127\\.0\\.0\\.1:(\\d+)/admin";

  @TempDir Path unpacked;

  @Test
  void theUnpackedArchivePrintsItsVersionAndRunsAStandaloneThatStopsCleanly(@TempDir Path data)
      throws Exception {
    var home = unpack();

    var version = run(home.resolve("bin/crossgate").toString(), "-V");
    int exit;
    String readyz;
    try (var standalone =
        CrossgateProcess.launch(
            home.resolve("bin/crossgate"),
            "standalone",
            "--data-dir",
            data.toString(),
            "--admin-port",
            "0",
            "--gateway-port",
            "0",
            "--drain-period",
            "PT0S")) {
      var ready = standalone.awaitLine(READY, Duration.ofSeconds(90));
      readyz =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + ready.group(1) + "/readyz"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      exit = standalone.stop();
    }

    assertThat(version).matches("crossgate \\d+\\.\\d+\\.\\d+\\S*\\+[0-9a-f]{7,}\\s*");
    assertThat(home.getFileName().toString())
        .isEqualTo("crossgate-" + version.trim().split("[ +]")[1]);
    assertThat(readyz).contains("\"status\":\"ready\"");
    // SIGTERM: the JVM's exit status the unit lists as success
    assertThat(exit).isEqualTo(143);
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(data.resolve("admin-token"))))
        .as("the launcher's umask keeps the token owner-only")
        .isEqualTo("rw-------");
  }

  @Test
  void theSystemdUnitPassesSystemdsOwnVerification() throws Exception {
    var home = unpack();
    var unit = Files.readString(home.resolve("lib/systemd/crossgate@.service"));
    var units = Files.createDirectories(unpacked.resolve("units"));
    // verified as installed, with the archive where the unit expects /opt/crossgate
    var standalone = units.resolve("crossgate@standalone.service");
    Files.writeString(
        standalone,
        unit.replace("/opt/crossgate/bin/crossgate", home.resolve("bin/crossgate").toString())
            .replace("User=crossgate", "User=root")
            .replace("Group=crossgate", "Group=root"));

    var verify = new ProcessBuilder("systemd-analyze", "verify", standalone.toString());
    verify.environment().put("SYSTEMD_LOG_LEVEL", "notice");
    var process = verify.redirectErrorStream(true).start();
    var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor(60, TimeUnit.SECONDS);

    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).doesNotContain("Unknown key", "Unknown section", "Failed to parse");
    assertThat(unit)
        .contains(
            "SuccessExitStatus=143",
            "Restart=on-failure",
            "NoNewPrivileges=true",
            "ProtectSystem=strict",
            "ExecStart=/opt/crossgate/bin/crossgate %i");
  }

  /** Unpacks target/crossgate-VERSION.tar.gz with tar, as an operator would; its top directory. */
  private Path unpack() throws IOException, InterruptedException {
    Path archive;
    try (var found = Files.list(Path.of("target"))) {
      archive =
          found
              .filter(p -> p.getFileName().toString().matches("crossgate-.*\\.tar\\.gz"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no release archive in target/ (mvn package)"));
    }
    run("tar", "xzf", archive.toAbsolutePath().toString(), "-C", unpacked.toString());
    try (var top = Files.list(unpacked)) {
      return top.filter(p -> p.getFileName().toString().startsWith("crossgate-"))
          .findFirst()
          .orElseThrow();
    }
  }

  private static String run(String... command) throws IOException, InterruptedException {
    var process = new ProcessBuilder(command).redirectErrorStream(true).start();
    var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
    return output;
  }
}
