package dev.crossgate.store.extension;

import dev.crossgate.store.Database;
import dev.crossgate.store.sql.Sql;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * WebAssembly modules uploaded to the platform, by tenant and SHA-256 (lowercase hex). The bytes
 * are checked before they get here (digest, size, WASI imports); this only keeps them. Blocking:
 * call from a worker thread.
 */
public final class ExtensionModuleRepository {
  private final Database database;

  public ExtensionModuleRepository(Database database) {
    this.database = database;
  }

  /** Keeps {@code module} for {@code tenant}; uploading the same bytes again changes nothing. */
  public void store(String tenant, String sha256, byte[] module, Instant now) {
    database.inTransaction(
        c -> {
          if (!Sql.exists(
              c,
              "SELECT 1 FROM extension_modules WHERE tenant_id = ? AND sha256 = ?",
              tenant,
              sha256)) {
            Sql.update(
                c,
                "INSERT INTO extension_modules (tenant_id, sha256, size_bytes, module, created_at) VALUES (?, ?, ?, ?, ?)",
                tenant,
                sha256,
                module.length,
                module,
                now);
          }
          return null;
        });
  }

  /**
   * The size of a module {@code tenant} uploaded, or empty when it uploaded none with that digest.
   */
  public OptionalInt size(String tenant, String sha256) {
    return database
        .read(
            c ->
                Sql.queryOne(
                    c,
                    "SELECT size_bytes FROM extension_modules WHERE tenant_id = ? AND sha256 = ?",
                    row -> row.getInt("size_bytes"),
                    tenant,
                    sha256))
        .map(OptionalInt::of)
        .orElse(OptionalInt.empty());
  }

  /**
   * The module with this digest, whoever uploaded it: what a node asks for when an extension's
   * version names it (the registry decided who may name it).
   */
  public Optional<byte[]> module(String sha256) {
    return database.read(
        c ->
            Sql.queryAtMost(
                    c,
                    1,
                    "SELECT module FROM extension_modules WHERE sha256 = ?",
                    row -> row.getBytes("module"),
                    sha256)
                .stream()
                .findFirst());
  }
}
