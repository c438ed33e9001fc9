package dev.crossgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/architecture.md draws the modules, the request chain and the endpoint families from the
 * code; this keeps the committed pictures equal to what {@code docs/architecture/generate.sh} draws
 * now. The extraction lives in the script only (not again here), so the test and the doc can never
 * disagree about what "up to date" means. Runs from the module directory, as Maven does: the
 * repository root is {@code ..}.
 */
class ArchitectureDocTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path SCRIPT = ROOT.resolve("docs/architecture/generate.sh");
  private static final Path DOC = ROOT.resolve("docs/architecture.md");

  @Test
  void theCommittedArchitectureDocMatchesTheCode() throws Exception {
    var result = check();

    assertThat(result.exit())
        .as(
            "docs/architecture.md is out of date: run docs/architecture/generate.sh and commit it%n%s",
            result.output())
        .isZero();
  }

  @Test
  void aDocMissingAChainStepFailsTheCheckWithADiff(@TempDir Path dir) throws Exception {
    var stale = dir.resolve("architecture.md");
    var lines =
        Files.readAllLines(DOC, StandardCharsets.UTF_8).stream()
            .filter(line -> !line.contains("<b>RouteAuthStep</b>"))
            .toList();
    Files.write(stale, lines, StandardCharsets.UTF_8);

    var result = check(stale.toString());

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.output())
        .contains("out of date")
        .contains("+  s11[\"11. <b>RouteAuthStep</b>");
  }

  @Test
  void proseThatLinksToAMissingFileFailsTheCheck(@TempDir Path dir) throws Exception {
    var broken = dir.resolve("architecture.md");
    Files.writeString(
        broken,
        Files.readString(DOC, StandardCharsets.UTF_8)
            + "\nSee [the old chain](../crossgate-gateway/Nowhere.java).\n",
        StandardCharsets.UTF_8);

    var result = check(broken.toString());

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.output())
        .contains("links to a missing file: ../crossgate-gateway/Nowhere.java");
  }

  private record Result(int exit, String output) {}

  private static Result check(String... doc) throws IOException, InterruptedException {
    assertThat(SCRIPT).as("run from a module directory of the repository").isRegularFile();
    var command = new ArrayList<>(List.of("bash", SCRIPT.toString(), "--check"));
    command.addAll(List.of(doc));
    var process =
        new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).start();
    var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("generate.sh finished").isTrue();
    return new Result(process.exitValue(), output);
  }
}
