package dev.crossgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./crossgate} launcher, run from a copy beside an up-to-date jar so it does not build:
 * an empty jar with a fake {@code java} first on the PATH that prints the arguments it was given,
 * or, for the AppCDS archive, a one-class jar run by the real JVM.
 */
class LauncherScriptTest {
  @TempDir Path root;

  @Test
  void theJvmExitsOnOutOfMemoryByDefault() throws Exception {
    var args = launch(null);

    assertThat(args)
        .containsExactly(
            "-XX:+ExitOnOutOfMemoryError",
            "-jar",
            root.resolve("crossgate-app/target/crossgate.jar").toString(),
            "agent",
            "--help");
  }

  @Test
  void otherJavaOptionsAreKeptBesideTheExitFlag() throws Exception {
    var args = launch("-Xmx256m -Dfoo=bar");

    assertThat(args).startsWith("-XX:+ExitOnOutOfMemoryError", "-Xmx256m", "-Dfoo=bar", "-jar");
  }

  @Test
  void anOutOfMemoryBehaviourChosenInCrossgateJavaOptsIsLeftAlone() throws Exception {
    assertThat(launch("-XX:-ExitOnOutOfMemoryError"))
        .startsWith("-XX:-ExitOnOutOfMemoryError", "-jar");
    assertThat(launch("-XX:+CrashOnOutOfMemoryError"))
        .startsWith("-XX:+CrashOnOutOfMemoryError", "-jar");
    assertThat(launch("-XX:OnOutOfMemoryError=/bin/true"))
        .startsWith("-XX:OnOutOfMemoryError=/bin/true", "-jar");
  }

  @Test
  void aHeapDumpOnOutOfMemoryIsNotAnExitBehaviour() throws Exception {
    assertThat(launch("-XX:+HeapDumpOnOutOfMemoryError"))
        .startsWith("-XX:+ExitOnOutOfMemoryError", "-XX:+HeapDumpOnOutOfMemoryError", "-jar");
  }

  @Test
  void aServerRoleArchivesItsClassesOnTheFirstRunAndMapsThatArchiveOnLaterRuns() throws Exception {
    writeJar("one");

    var first = runReal("gateway");
    var second = runReal("gateway");
    var third = runReal("gateway");

    assertThat(first)
        .anyMatch(a -> a.startsWith("-XX:ArchiveClassesAtExit=" + archive("gateway") + "."))
        .contains("ran gateway");
    assertThat(second)
        .contains("-XX:SharedArchiveFile=" + archive("gateway"), "-Xshare:auto", "ran gateway");
    assertThat(third).contains("-XX:SharedArchiveFile=" + archive("gateway"), "ran gateway");
    try (var files = Files.list(archive("gateway").getParent())) {
      assertThat(files).containsExactly(archive("gateway"));
    }
  }

  @Test
  void sendArchivesItsClassesTooWhileMaintenanceCommandsRunWithout() throws Exception {
    writeJar("one");

    var first = runReal("send", "big.bin", "http://127.0.0.1:9000");
    var second = runReal("send", "big.bin", "http://127.0.0.1:9000");
    var config = runReal("config", "export");

    // a fresh client JVM per file: class loading was about half of a short send's CPU
    assertThat(first).anyMatch(a -> a.startsWith("-XX:ArchiveClassesAtExit=" + archive("send")));
    assertThat(second)
        .contains(
            "-XX:SharedArchiveFile=" + archive("send"), "ran send big.bin http://127.0.0.1:9000");
    assertThat(config).noneMatch(a -> a.contains("Archive")).contains("ran config export");
  }

  @Test
  void aTruncatedArchiveIsDiscardedBeforeTheJvmMapsIt() throws Exception {
    writeJar("one");
    runReal("gateway");
    Path dump;
    try (var files = Files.list(archive("gateway").getParent())) {
      dump = files.findFirst().orElseThrow();
    }
    var bytes = Files.readAllBytes(dump);
    dump.toFile().setWritable(true);
    Files.write(dump, java.util.Arrays.copyOf(bytes, bytes.length / 3));

    var next = runReal("gateway");

    // a JDK 17 JVM given this file with -Xshare:auto dies of SIGBUS: the launcher must not pass it
    assertThat(next)
        .noneMatch(a -> a.startsWith("-XX:SharedArchiveFile="))
        .anyMatch(a -> a.startsWith("-XX:ArchiveClassesAtExit="))
        .contains("ran gateway");
    assertThat(dump).doesNotExist();
    try (var files = Files.list(root)) {
      assertThat(files).noneMatch(f -> f.getFileName().toString().startsWith("hs_err"));
    }
  }

  @Test
  void anArchiveOfAnotherJarIsIgnoredByTheJvmAndOneOlderThanTheJarIsReplaced() throws Exception {
    writeJar("one");
    runReal("gateway");
    runReal("gateway");
    var archived = Files.getLastModifiedTime(archive("gateway")).toMillis();
    writeJar("another, longer jar");
    Files.setLastModifiedTime(
        jar(), java.nio.file.attribute.FileTime.fromMillis(archived - 10_000));

    var mismatched = runReal("gateway");
    Files.setLastModifiedTime(
        archive("gateway"), java.nio.file.attribute.FileTime.fromMillis(archived - 20_000));
    var rebuilt = runReal("gateway");

    assertThat(mismatched)
        .contains("-XX:SharedArchiveFile=" + archive("gateway"), "ran gateway")
        .anyMatch(line -> line.contains("Unable to use shared archive"));
    assertThat(rebuilt)
        .anyMatch(a -> a.startsWith("-XX:ArchiveClassesAtExit="))
        .contains("ran gateway");
  }

  @Test
  void helpAndCrossgateCdsOffRunWithoutAnArchive() throws Exception {
    writeJar("one");

    var help = runReal("gateway", "--help");
    var off = run(Map.of("CROSSGATE_CDS", "off"), null, "gateway");

    assertThat(help).noneMatch(a -> a.contains("Archive")).contains("ran gateway --help");
    assertThat(off).noneMatch(a -> a.contains("Archive")).contains("ran gateway");
    assertThat(archive("gateway").getParent()).doesNotExist();
  }

  private Path jar() {
    return root.resolve("crossgate-app/target/crossgate.jar");
  }

  private Path archive(String role) {
    return root.resolve("crossgate-app/target/cds/" + role + ".jsa");
  }

  /**
   * A jar whose main class prints the JVM's options and its arguments; {@code tag} changes its
   * size.
   */
  private void writeJar(String tag) throws IOException {
    var src = Files.createDirectories(root.resolve("crossgate-app/target/tiny"));
    var source = src.resolve("Main.java");
    Files.writeString(
        source,
        """
        public class Main {
          public static void main(String[] args) {
            java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().forEach(System.out::println);
            System.out.println(("ran " + String.join(" ", args)).trim());
          }
        }
        """);
    assertThat(
            javax.tools.ToolProvider.getSystemJavaCompiler()
                .run(null, null, null, "-d", src.toString(), source.toString()))
        .isZero();
    var manifest = new java.util.jar.Manifest();
    manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MAIN_CLASS, "Main");
    Files.createDirectories(jar().getParent());
    try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar()), manifest)) {
      out.putNextEntry(new java.util.jar.JarEntry("Main.class"));
      out.write(Files.readAllBytes(src.resolve("Main.class")));
      out.putNextEntry(new java.util.jar.JarEntry("tag.txt"));
      out.write(tag.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The launcher with the real {@code java}; its output lines (JVM options first). */
  private List<String> runReal(String... args) throws IOException, InterruptedException {
    return run(Map.of(), null, args);
  }

  private List<String> launch(String javaOpts) throws IOException, InterruptedException {
    var jar = jar();
    Files.createDirectories(jar.getParent());
    if (!Files.exists(jar)) {
      Files.createFile(jar);
    }
    var bin = Files.createDirectories(root.resolve("fake-bin"));
    var java = bin.resolve("java");
    Files.writeString(java, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
    return run(
        javaOpts == null ? Map.of() : Map.of("CROSSGATE_JAVA_OPTS", javaOpts),
        bin,
        "agent",
        "--help");
  }

  /** Runs a copy of the launcher with {@code env} added, {@code bin} (if any) first on the PATH. */
  private List<String> run(Map<String, String> env, Path bin, String... args)
      throws IOException, InterruptedException {
    var script = root.resolve("crossgate");
    Files.copy(
        Path.of("..", "crossgate"), script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    var command = new java.util.ArrayList<>(List.of("bash", script.toString()));
    command.addAll(List.of(args));
    var process = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
    if (bin != null) {
      process.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    }
    process.environment().remove("CROSSGATE_JAVA_OPTS");
    process.environment().remove("CROSSGATE_CDS");
    process.environment().putAll(env);
    var running = process.start();
    var out = new String(running.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(running.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(running.exitValue()).as(out).isZero();
    return out.lines().toList();
  }
}
