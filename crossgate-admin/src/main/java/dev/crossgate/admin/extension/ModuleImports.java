package dev.crossgate.admin.extension;

import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.types.ExternalType;
import dev.crossgate.problem.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a module uploaded to the platform may import: WASI preview 1 functions for standard input
 * and output, clocks, randomness, the (empty) arguments and environment, and exit — nothing that
 * reaches a file system or a socket. The runner gives a module no preopened directories and no
 * sockets anyway; refusing such imports at upload tells the tenant now, naming the import, instead
 * of a module that fails on its first call.
 */
final class ModuleImports {
  static final String WASI = "wasi_snapshot_preview1";

  /** Documented in docs/extensions.md ("Uploading a module"); keep both in step. */
  static final Set<String> ALLOWED =
      Set.of(
          "fd_read",
          "fd_write",
          "fd_fdstat_get",
          "clock_time_get",
          "clock_res_get",
          "random_get",
          "args_get",
          "args_sizes_get",
          "environ_get",
          "environ_sizes_get",
          "proc_exit",
          "sched_yield");

  private ModuleImports() {}

  /**
   * One field error per import the platform does not provide ({@code imports[i]} naming {@code
   * module.name}), or one for a module that does not parse; empty when the module may run. Worker
   * thread: parsing reads the whole module.
   */
  static List<FieldError> refused(byte[] module) {
    com.dylibso.chicory.wasm.WasmModule parsed;
    try {
      parsed = Parser.parse(module);
    } catch (ChicoryException | IllegalArgumentException e) {
      return List.of(
          new FieldError("module", "is not a valid WebAssembly module: " + e.getMessage()));
    }
    var errors = new ArrayList<FieldError>();
    var imports = parsed.importSection();
    for (int i = 0; i < imports.importCount(); i++) {
      var imported = imports.getImport(i);
      var name = imported.module() + "." + imported.name();
      if (!WASI.equals(imported.module())) {
        errors.add(
            new FieldError(
                "imports[" + i + "]",
                name + " is not provided: only " + WASI + " functions are (" + sorted() + ")"));
      } else if (imported.importType() != ExternalType.FUNCTION
          || !ALLOWED.contains(imported.name())) {
        errors.add(
            new FieldError(
                "imports[" + i + "]",
                name
                    + " is not allowed: a module on the platform may import only "
                    + sorted()
                    + " (no file system, no sockets)"));
      }
    }
    return errors;
  }

  private static List<String> sorted() {
    return ALLOWED.stream().sorted().toList();
  }
}
