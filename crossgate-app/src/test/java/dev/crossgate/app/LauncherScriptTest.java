package dev.crossgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./crossgate} launcher, run from a copy beside an up-to-date (empty) jar so it does
 * not build, with a fake {@code java} first on the PATH that prints the arguments it was given.
 */
class LauncherScriptTest {
  @TempDir
  Path root;

  @Test
  void theJvmExitsOnOutOfMemoryByDefault() throws Exception {
    var args = launch(null);

    assertThat(args).containsExactly("-XX:+ExitOnOutOfMemoryError", "-jar",
        root.resolve("crossgate-app/target/crossgate.jar").toString(), "agent", "--help");
  }

  @Test
  void otherJavaOptionsAreKeptBesideTheExitFlag() throws Exception {
    var args = launch("-Xmx256m -Dfoo=bar");

    assertThat(args).startsWith("-XX:+ExitOnOutOfMemoryError", "-Xmx256m", "-Dfoo=bar", "-jar");
  }

  @Test
  void anOutOfMemoryBehaviourChosenInCrossgateJavaOptsIsLeftAlone() throws Exception {
    assertThat(launch("-XX:-ExitOnOutOfMemoryError")).startsWith("-XX:-ExitOnOutOfMemoryError", "-jar");
    assertThat(launch("-XX:+CrashOnOutOfMemoryError")).startsWith("-XX:+CrashOnOutOfMemoryError", "-jar");
    assertThat(launch("-XX:OnOutOfMemoryError=/bin/true")).startsWith("-XX:OnOutOfMemoryError=/bin/true", "-jar");
  }

  @Test
  void aHeapDumpOnOutOfMemoryIsNotAnExitBehaviour() throws Exception {
    assertThat(launch("-XX:+HeapDumpOnOutOfMemoryError"))
        .startsWith("-XX:+ExitOnOutOfMemoryError", "-XX:+HeapDumpOnOutOfMemoryError", "-jar");
  }

  private List<String> launch(String javaOpts) throws IOException, InterruptedException {
    var script = root.resolve("crossgate");
    Files.copy(Path.of("..", "crossgate"), script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    var jar = root.resolve("crossgate-app/target/crossgate.jar");
    Files.createDirectories(jar.getParent());
    if (!Files.exists(jar)) {
      Files.createFile(jar);
    }
    var bin = Files.createDirectories(root.resolve("fake-bin"));
    var java = bin.resolve("java");
    Files.writeString(java, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
    var process = new ProcessBuilder("bash", script.toString(), "agent", "--help").redirectErrorStream(true);
    process.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    process.environment().remove("CROSSGATE_JAVA_OPTS");
    if (javaOpts != null) {
      process.environment().put("CROSSGATE_JAVA_OPTS", javaOpts);
    }
    var running = process.start();
    var out = new String(running.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(running.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(running.exitValue()).as(out).isZero();
    return out.lines().toList();
  }
}
