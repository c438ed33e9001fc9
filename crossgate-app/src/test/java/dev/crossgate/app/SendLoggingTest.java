package dev.crossgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code crossgate send} runs without logback unless log lines are asked for, and then has them as
 * before. Each case is a child JVM: SLF4J picks its provider once per JVM.
 */
class SendLoggingTest {
  @TempDir Path dir;

  @Test
  void aSendPrintsOnlyItsOwnLinesAndNoLoggingNotice() throws Exception {
    var run = send(null);

    assertThat(run.output()).contains("crossgate send: create failed");
    assertThat(run.output())
        .doesNotContain("SLF4J")
        .doesNotContain(" DEBUG ")
        .doesNotContain(" INFO ");
  }

  @Test
  void aSendAskedForLogLinesHasThemInTheUsualFormat() throws Exception {
    var run = send("debug");

    assertThat(run.output()).contains("crossgate send: create failed");
    assertThat(run.output()).contains("LOGBACK DEBUG ");
  }

  private record Run(String output) {}

  /**
   * A send to a port nothing listens on (it gives up after its attempts), stdout and stderr; its
   * logback configuration writes every line, marked, whatever the level asked for: a line shows
   * that logback runs.
   */
  private Run send(String logLevel) throws IOException, InterruptedException {
    var file = Files.writeString(dir.resolve("f.txt"), "x");
    var config =
        Files.writeString(
            dir.resolve("logback.xml"),
            "<configuration><appender name=\"out\" class=\"ch.qos.logback.core.ConsoleAppender\">"
                + "<encoder><pattern>LOGBACK %level %msg%n</pattern></encoder></appender>"
                + "<root level=\"DEBUG\"><appender-ref ref=\"out\"/></root>"
                + "</configuration>");
    var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var builder =
        new ProcessBuilder(
                java,
                "-Dlogback.configurationFile=" + config,
                "-cp",
                System.getProperty("java.class.path"),
                Crossgate.class.getName(),
                "send",
                file.toString(),
                "http://127.0.0.1:1",
                "--api-key",
                "k",
                "--data-dir",
                dir.resolve("data").toString())
            .redirectErrorStream(true);
    builder.environment().remove("CROSSGATE_LOG_LEVEL");
    if (logLevel != null) {
      builder.environment().put("CROSSGATE_LOG_LEVEL", logLevel);
    }
    var process = builder.start();
    var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(output);
  }
}
