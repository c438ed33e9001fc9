package dev.crossgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.configfile.ConfigFileReader;
import dev.crossgate.configfile.ConfigFileValidator;
import dev.crossgate.configfile.ConfigFileWriter;
import dev.crossgate.configfile.ConfigPlan;
import dev.crossgate.configfile.SecretReferences;
import dev.crossgate.json.Json;
import dev.crossgate.problem.FieldError;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code crossgate config}: the configuration as a file kept in git. The commands are thin clients
 * of {@code GET/PUT /admin/config}; {@code validate} needs no server. Secret references ({@code
 * ${env:NAME}}, {@code ${file:/path}}) are resolved here, where the file is, and never by the
 * server.
 */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "Export, diff, apply and validate the configuration as a YAML or JSON file.",
    exitCodeOnInvalidInput = ConfigCommand.USAGE,
    subcommands = {
      ConfigCommand.Export.class,
      ConfigCommand.Diff.class,
      ConfigCommand.Apply.class,
      ConfigCommand.Validate.class
    })
final class ConfigCommand implements Runnable {
  /** Exit code of {@code diff} when the server differs from the file. */
  static final int DIFFERS = 2;

  static final int FAILED = 1;

  /**
   * Exit code of a usage error (sysexits' EX_USAGE), not picocli's 2: a CI script must not read a
   * mistyped flag as "diff found changes".
   */
  static final int USAGE = 64;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      exitCodeOnInvalidInput = USAGE,
      description = "Write the whole configuration as a file (YAML; JSON for a .json file).")
  static final class Export implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin AdminClientFlags admin = new AdminClientFlags();

    @Option(
        names = {"-o", "--output"},
        description = "The file to write (default: standard output, YAML).")
    Path output;

    @Option(
        names = "--at-revision",
        description = "Export the configuration as it was at this change-log revision.")
    Long atRevision;

    @Override
    public Integer call() throws IOException {
      var err = spec.commandLine().getErr();
      try {
        var answer =
            admin
                .client()
                .get("/admin/config" + (atRevision == null ? "" : "?atRevision=" + atRevision));
        if (!answer.ok()) {
          return problem(err, answer.json(), null);
        }
        var json = output != null && output.getFileName().toString().endsWith(".json");
        var bytes =
            json ? ConfigFileWriter.json(answer.json()) : ConfigFileWriter.yaml(answer.json());
        if (output == null) {
          spec.commandLine()
              .getOut()
              .print(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
          spec.commandLine().getOut().flush();
        } else {
          Files.write(output, bytes);
          err.println("exported " + answer.etag() + " to " + output);
        }
        return 0;
      } catch (AdminClient.Unreachable e) {
        err.println(e.getMessage());
        return FAILED;
      }
    }
  }

  @Command(
      name = "diff",
      mixinStandardHelpOptions = true,
      exitCodeOnInvalidInput = USAGE,
      description = "Show what apply would change. Exit 0: nothing differs, 2: something does.",
      exitCodeListHeading = "Exit codes:%n",
      exitCodeList = {
        "0:the server has the file's configuration",
        "1:error",
        "2:they differ",
        "64:usage error"
      })
  static final class Diff implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin AdminClientFlags admin = new AdminClientFlags();
    @Mixin FileFlags file = new FileFlags();

    @Option(
        names = "--prune",
        description = "Also show what the file does not name, which apply --prune deletes.")
    boolean prune;

    @Override
    public Integer call() throws IOException {
      var err = spec.commandLine().getErr();
      var read = file.read(err);
      if (read == null) {
        return FAILED;
      }
      try {
        var answer = admin.client().put(planPath(true, prune), file.json(read), null);
        if (!answer.ok()) {
          return problem(err, answer.json(), file.describer(read));
        }
        var plan = Json.mapper().treeToValue(answer.json(), ConfigPlan.class);
        var out = spec.commandLine().getOut();
        plan.describe().forEach(out::println);
        out.println(
            (plan.empty() ? "no changes" : plan.changes().size() + " changes")
                + " against revision "
                + plan.baseRevision());
        out.flush();
        return plan.empty() ? 0 : DIFFERS;
      } catch (AdminClient.Unreachable e) {
        err.println(e.getMessage());
        return FAILED;
      }
    }
  }

  @Command(
      name = "apply",
      mixinStandardHelpOptions = true,
      exitCodeOnInvalidInput = USAGE,
      description =
          "Make the server's configuration the file's, in one transaction, refused when the"
              + " configuration changed between the diff and the apply.")
  static final class Apply implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin AdminClientFlags admin = new AdminClientFlags();
    @Mixin FileFlags file = new FileFlags();

    @Option(names = "--prune", description = "Delete what the file does not name.")
    boolean prune;

    @Option(names = "--dry-run", description = "Only show what would change.")
    boolean dryRun;

    @Option(
        names = "--if-revision",
        description =
            "Apply only if the configuration is still at this revision (the one a reviewed"
                + " 'config diff' printed); default: the revision of this command's own diff.")
    Long ifRevision;

    @Override
    public Integer call() throws IOException {
      var err = spec.commandLine().getErr();
      var out = spec.commandLine().getOut();
      var read = file.read(err);
      if (read == null) {
        return FAILED;
      }
      try {
        var client = admin.client();
        var body = file.json(read);
        long base;
        if (ifRevision != null) {
          base = ifRevision;
        } else {
          var planned = client.put(planPath(true, prune), body, null);
          if (!planned.ok()) {
            return problem(err, planned.json(), file.describer(read));
          }
          var plan = Json.mapper().treeToValue(planned.json(), ConfigPlan.class);
          if (dryRun || plan.empty()) {
            plan.describe().forEach(out::println);
            out.println(
                (plan.empty() ? "no changes" : plan.changes().size() + " changes (dry run)")
                    + " at revision "
                    + plan.baseRevision());
            out.flush();
            return 0;
          }
          base = plan.baseRevision();
        }
        var applied = client.put(planPath(dryRun, prune), body, "\"rev-" + base + "\"");
        if (!applied.ok()) {
          return problem(err, applied.json(), file.describer(read));
        }
        var plan = Json.mapper().treeToValue(applied.json(), ConfigPlan.class);
        plan.describe().forEach(out::println);
        out.println(
            plan.changes().size()
                + (plan.applied()
                    ? " changes applied: revision "
                    : " changes (dry run) at revision ")
                + plan.revision());
        out.flush();
        return 0;
      } catch (AdminClient.Unreachable e) {
        err.println(e.getMessage());
        return FAILED;
      }
    }
  }

  @Command(
      name = "validate",
      mixinStandardHelpOptions = true,
      exitCodeOnInvalidInput = USAGE,
      description =
          "Check a file offline, with the Admin API's rules: every error with its path and line.")
  static final class Validate implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin FileFlags file = new FileFlags();

    @Override
    public Integer call() throws IOException {
      var read = file.read(spec.commandLine().getErr());
      if (read == null) {
        return FAILED;
      }
      var f = read.file();
      spec.commandLine()
          .getOut()
          .println(
              file.path
                  + ": valid ("
                  + f.routes().size()
                  + " routes, "
                  + f.filters().size()
                  + " filters, "
                  + f.tenants().size()
                  + " tenants, "
                  + f.extensions().size()
                  + " extensions)");
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  /** The configuration file a command reads. */
  static final class FileFlags {
    @Option(
        names = {"-f", "--file"},
        required = true,
        description = "The configuration file (YAML or JSON).")
    Path path;

    /** The file read and validated, or null after printing every error with its line. */
    ConfigFileReader.Result read(PrintWriter err) throws IOException {
      byte[] content;
      try {
        content = Files.readAllBytes(path);
      } catch (IOException e) {
        err.println(path + ": cannot be read: " + e.getMessage());
        err.flush();
        return null;
      }
      var dir = path.toAbsolutePath().getParent();
      var read = ConfigFileReader.read(content, SecretReferences.resolving(System::getenv, dir));
      var errors = new ArrayList<>(read.errors());
      if (read.ok()) {
        errors.addAll(ConfigFileValidator.errors(read.file()));
      }
      if (errors.isEmpty()) {
        return read;
      }
      ConfigFileReader.describe(errors, read.lines(), path.toString()).forEach(err::println);
      err.println(errors.size() + (errors.size() == 1 ? " error" : " errors"));
      err.flush();
      return null;
    }

    /** The file as the JSON body of PUT /admin/config, its secret references resolved. */
    byte[] json(ConfigFileReader.Result read) {
      return Json.writeBytes(read.file().document());
    }

    java.util.function.Function<List<FieldError>, List<String>> describer(
        ConfigFileReader.Result read) {
      return errors -> ConfigFileReader.describe(errors, read.lines(), path.toString());
    }
  }

  static String planPath(boolean dryRun, boolean prune) {
    return "/admin/config?dryRun=" + dryRun + "&prune=" + prune;
  }

  /** Prints a problem answer: its detail and each field error, with its line when known. */
  static int problem(
      PrintWriter err,
      JsonNode problem,
      java.util.function.Function<List<FieldError>, List<String>> describe) {
    err.println(
        problem.path("title").asText("error")
            + " ("
            + problem.path("status").asInt()
            + "): "
            + problem.path("detail").asText());
    var errors = new ArrayList<FieldError>();
    problem
        .path("errors")
        .forEach(
            e -> errors.add(new FieldError(e.path("field").asText(), e.path("message").asText())));
    if (describe != null) {
      describe.apply(errors).forEach(err::println);
    } else {
      errors.forEach(e -> err.println(e.field() + ": " + e.message()));
    }
    err.flush();
    return FAILED;
  }
}
