package dev.crossgate.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.h2.api.ErrorCode;
import org.h2.tools.Recover;
import org.h2.tools.RunScript;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code crossgate db recover --data-dir DIR}: rebuilds an embedded (H2) store that no longer
 * opens. For each {@code *.mv.db} in the data dir that fails to open, H2's {@link Recover} tool
 * dumps what it can still read as an SQL script, the broken file is kept beside it as {@code
 * <name>.mv.db.broken-<UTC timestamp>}, and the script is run into a fresh file. Stores that open
 * are left alone. Run it while no Crossgate process uses the data dir.
 */
@Command(
    name = "db",
    mixinStandardHelpOptions = true,
    description = "Embedded database maintenance.",
    subcommands = DbCommand.RecoverCommand.class)
final class DbCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The line a role prints when its embedded store cannot open (details at DEBUG in the log). */
  static String recoveryHint(Path dataDir) {
    return "the embedded database in "
        + dataDir.toAbsolutePath().normalize()
        + " cannot be opened (damaged);"
        + " stop every process using it and run: crossgate db recover --data-dir "
        + dataDir;
  }

  /**
   * True when {@code failure} says an embedded H2 file is damaged (as opposed to locked, missing,
   * or a network database being down): H2's "file corrupted" error, or an MVStore failure surfacing
   * as a general error.
   */
  static boolean embeddedStoreDamaged(Throwable failure) {
    for (var t = failure; t != null; t = t.getCause()) {
      if (t.getClass().getName().equals("org.h2.mvstore.MVStoreException")) {
        return true;
      }
      if (t instanceof SQLException sql
          && (sql.getErrorCode() == ErrorCode.FILE_CORRUPTED_1
              || (sql.getErrorCode() == ErrorCode.GENERAL_ERROR_1
                  && String.valueOf(sql.getMessage()).contains("MVStore")))) {
        return true;
      }
    }
    return false;
  }

  @Command(
      name = "recover",
      mixinStandardHelpOptions = true,
      description =
          "Rebuild the embedded database files in a data dir that no longer open; the broken files are "
              + "kept as <name>.mv.db.broken-<timestamp>.")
  static final class RecoverCommand implements Callable<Integer> {
    private static final String SUFFIX = ".mv.db";

    @Option(
        names = "--data-dir",
        required = true,
        description = "The data dir of the stopped role.")
    Path dataDir;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      var out = spec.commandLine().getOut();
      List<Path> stores;
      try (Stream<Path> files = Files.list(dataDir)) {
        stores = files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
      }
      if (stores.isEmpty()) {
        out.println("no embedded database (*" + SUFFIX + ") in " + dataDir);
        return 1;
      }
      int failed = 0;
      for (var store : stores) {
        failed += recover(store, out) ? 0 : 1;
      }
      out.flush();
      return failed == 0 ? 0 : 1;
    }

    private boolean recover(Path file, PrintWriter out) throws IOException {
      var name = file.getFileName().toString();
      var base = name.substring(0, name.length() - SUFFIX.length());
      var url = "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve(base);
      // the role's own user is not known here: a refused login also means the file opened
      try {
        DriverManager.getConnection(url + ";IFEXISTS=TRUE", "", "").close();
        out.println(name + ": opens; left as it is");
        return true;
      } catch (SQLException e) {
        if (e.getErrorCode() == ErrorCode.WRONG_USER_OR_PASSWORD) {
          out.println(name + ": opens; left as it is");
          return true;
        }
        if (!embeddedStoreDamaged(e)) {
          out.println(
              name
                  + ": cannot be opened and is not damaged ("
                  + e.getMessage().lines().findFirst().orElse("")
                  + "); nothing done");
          return false;
        }
      }
      try {
        Recover.execute(dataDir.toString(), base);
        var script = dataDir.resolve(base + ".h2.sql");
        out.println(name + ": damaged; recovered what was readable into " + script.getFileName());
        var broken =
            file.resolveSibling(
                name
                    + ".broken-"
                    + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                        .format(ZonedDateTime.now(ZoneOffset.UTC)));
        Files.move(file, broken);
        out.println(name + ": broken file kept as " + broken.getFileName());
        // the script recreates the original users and their credentials
        RunScript.execute(url, "", "", script.toString(), StandardCharsets.UTF_8, false);
        Files.delete(script);
        Files.deleteIfExists(
            dataDir.resolve(base + ".mv.txt")); // Recover's dump of the pages it read
        out.println(name + ": rebuilt from the script; start the role again");
        return true;
      } catch (SQLException e) {
        out.println(name + ": recovery failed: " + e.getMessage().lines().findFirst().orElse(""));
        return false;
      }
    }
  }
}
