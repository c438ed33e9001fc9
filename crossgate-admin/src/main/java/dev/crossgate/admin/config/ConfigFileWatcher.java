package dev.crossgate.admin.config;

import dev.crossgate.configfile.ConfigFileReader;
import dev.crossgate.configfile.ConfigFileValidator;
import dev.crossgate.configfile.SecretReferences;
import dev.crossgate.problem.FieldError;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.config.ConfigStore;
import dev.crossgate.store.extension.ExtensionRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a configuration file: applies it (with prune, so the store holds exactly the file) at
 * start, then polls its modification time and size on a timer and, when they moved and the content
 * hash changed, applies it again in one transaction, so the gateway swaps from the old
 * configuration to the new one at once. A file that does not read or validate, or that the store
 * refuses, is refused whole: its errors are logged with their lines and the configuration in
 * service stays. Polling (not a file-system watch) also sees files replaced by rename, as editors
 * and Kubernetes config maps do.
 */
public final class ConfigFileWatcher {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigFileWatcher.class);

  private final Vertx vertx;
  private final ConfigStore store;
  private final ExtensionRepository.ArtifactVerifier verifier;
  private final Path file;
  private final AtomicBoolean checking = new AtomicBoolean();
  private long timer = -1;
  private volatile long seenModified = -1;
  private volatile long seenSize = -1;
  private volatile byte[] seenHash = new byte[0];

  private ConfigFileWatcher(
      Vertx vertx, ConfigStore store, ExtensionRepository.ArtifactVerifier verifier, Path file) {
    this.vertx = vertx;
    this.store = store;
    this.verifier = verifier;
    this.file = file.toAbsolutePath().normalize();
  }

  /**
   * Applies {@code file} and starts watching it; fails when the file cannot be applied (a node must
   * not start serving an empty configuration).
   */
  public static Future<ConfigFileWatcher> start(
      Vertx vertx,
      ConfigStore store,
      ExtensionRepository.ArtifactVerifier verifier,
      Path file,
      Duration period) {
    var watcher = new ConfigFileWatcher(vertx, store, verifier, file);
    return vertx
        .executeBlocking(
            () -> {
              var refused = watcher.check();
              if (refused != null) {
                throw new IllegalStateException(
                    "the configuration file " + watcher.file + " cannot be served: " + refused);
              }
              return watcher;
            },
            false)
        .map(
            w -> {
              w.timer = vertx.setPeriodic(period.toMillis(), id -> w.poll());
              return w;
            });
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private void poll() {
    if (!checking.compareAndSet(false, true)) {
      return;
    }
    vertx
        .executeBlocking(this::check, false)
        .onComplete(
            ar -> {
              checking.set(false);
              if (ar.failed()) {
                LOG.warn(
                    "event=config-file-check-failed file={} cause=\"{}\"",
                    file,
                    ar.cause().toString());
              }
            });
  }

  /**
   * Worker thread. Applies the file when it changed; returns null when it is in service, else why
   * it was refused.
   */
  private String check() throws IOException {
    long modified;
    long size;
    byte[] content;
    try {
      modified = Files.getLastModifiedTime(file).toMillis();
      size = Files.size(file);
      if (modified == seenModified && size == seenSize) {
        return null;
      }
      content = Files.readAllBytes(file);
    } catch (IOException e) {
      return refuse(List.of(file + ": cannot be read: " + e));
    }
    seenModified = modified;
    seenSize = size;
    var hash = sha256(content);
    if (Arrays.equals(hash, seenHash)) {
      return null; // touched, not changed
    }
    seenHash = hash;
    var read =
        ConfigFileReader.read(
            content, SecretReferences.resolving(System::getenv, file.getParent()));
    var errors = new ArrayList<FieldError>(read.errors());
    if (read.ok()) {
      errors.addAll(ConfigFileValidator.errors(read.file()));
    }
    if (errors.isEmpty()) {
      try {
        var plan =
            store.apply(read.file(), true, false, null, "file:" + file.getFileName(), verifier);
        LOG.info(
            "event=config-file-applied file={} revision={} changes={}",
            file,
            plan.revision(),
            plan.changes().size());
        return null;
      } catch (ProblemException e) {
        errors.addAll(e.problem().errors());
        if (errors.isEmpty()) {
          return refuse(List.of(file + ": " + e.problem().detail()));
        }
      }
    }
    return refuse(ConfigFileReader.describe(errors, read.lines(), file.toString()));
  }

  private String refuse(List<String> errors) {
    for (var error : errors) {
      LOG.error("event=config-file-refused error=\"{}\"", error);
    }
    LOG.error(
        "event=config-file-refused file={} errors={} kept=\"the configuration in service\"",
        file,
        errors.size());
    return errors.size() + " errors, the first: " + errors.get(0);
  }

  private static byte[] sha256(byte[] content) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(content);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
