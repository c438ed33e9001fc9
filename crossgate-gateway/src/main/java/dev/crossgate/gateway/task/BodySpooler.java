package dev.crossgate.gateway.task;

import dev.crossgate.gateway.chain.SpooledBody;
import dev.crossgate.http.BufferBudget;
import dev.crossgate.id.Ids;
import dev.crossgate.problem.Problem;
import dev.crossgate.problem.ProblemException;
import dev.crossgate.store.OwnerOnlyFiles;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Receives a body whole without holding a large one in the heap: the first {@code inlineLimit}
 * bytes are kept in memory (drawn from the request's share of the node's buffer budget); past them
 * the body goes to a spool file in the task blob directory, written as it arrives with back
 * pressure on the sender. The body's limit is enforced while it streams (413). On any failure the
 * spool file is removed. Event loop; file writes are Vert.x's asynchronous ones.
 */
final class BodySpooler {
  private final Vertx vertx;
  private final Path dir;
  private final int inlineLimit;

  BodySpooler(Vertx vertx, Path dir, int inlineLimit) {
    this.vertx = vertx;
    this.dir = dir;
    this.inlineLimit = inlineLimit;
  }

  /**
   * Reads {@code body} (paused) to its end.
   *
   * @param declaredLength the declared length, -1 when unknown
   * @param limit the most bytes accepted (413 above it)
   */
  Future<SpooledBody> receive(
      ReadStream<Buffer> body, long declaredLength, long limit, BufferBudget.Lease lease) {
    if (declaredLength > limit) {
      return Future.failedFuture(new ProblemException(Problem.payloadTooLarge(limit)));
    }
    // a body declared larger than the threshold goes to disk from its first byte
    return new Reception(body, limit, lease, declaredLength > inlineLimit).start();
  }

  /** One body on its way in: memory first, then the spool file. */
  private final class Reception {
    private final ReadStream<Buffer> body;
    private final long limit;
    private final BufferBudget.Lease lease;
    private final Promise<SpooledBody> done = Promise.promise();
    private Buffer memory = Buffer.buffer();
    private long size;
    private long reserved;
    private Path path;
    private AsyncFile file;
    private boolean ended;
    private final boolean toDisk;

    Reception(ReadStream<Buffer> body, long limit, BufferBudget.Lease lease, boolean toDisk) {
      this.body = body;
      this.limit = limit;
      this.lease = lease;
      this.toDisk = toDisk;
    }

    Future<SpooledBody> start() {
      body.handler(this::chunk);
      body.endHandler(v -> end());
      body.exceptionHandler(this::fail);
      body.resume();
      return done.future();
    }

    private void chunk(Buffer chunk) {
      if (done.future().isComplete()) {
        return;
      }
      size += chunk.length();
      if (size > limit) {
        fail(new ProblemException(Problem.payloadTooLarge(limit)));
        return;
      }
      if (file != null) {
        file.write(chunk);
        if (file.writeQueueFull()) {
          body.pause();
          file.drainHandler(v -> body.resume());
        }
        return;
      }
      if (path != null) {
        memory.appendBuffer(chunk); // arrived while the file opens; written first
        return;
      }
      if (!toDisk && memory.length() + chunk.length() <= inlineLimit) {
        try {
          lease.reserve(chunk.length());
        } catch (ProblemException e) {
          fail(e);
          return;
        }
        reserved += chunk.length();
        memory.appendBuffer(chunk);
        return;
      }
      // past the threshold: the rest goes to disk; hold the sender until the file is open
      memory.appendBuffer(chunk);
      body.pause();
      path = dir.resolve(Ids.random("spool_") + ".body");
      vertx
          .executeBlocking(() -> OwnerOnlyFiles.createDirectories(dir), false)
          .compose(
              d ->
                  vertx
                      .fileSystem()
                      .open(
                          path.toString(),
                          new OpenOptions()
                              .setWrite(true)
                              .setCreateNew(true)
                              .setPerms("rw-------")))
          .onSuccess(
              opened -> {
                file = opened;
                var held = memory;
                memory = null;
                file.write(held);
                lease.release(reserved);
                if (done.future().isComplete()) {
                  discard();
                } else if (ended) {
                  finish();
                } else {
                  body.resume();
                }
              })
          .onFailure(this::fail);
    }

    private void end() {
      ended = true;
      if (done.future().isComplete()) {
        return;
      }
      if (path == null) {
        done.tryComplete(SpooledBody.inMemory(memory));
      } else if (file != null) {
        finish();
      }
      // else: the file is still opening; it finishes once open
    }

    private void finish() {
      file.close()
          .onSuccess(v -> done.tryComplete(new SpooledBody(null, path, size)))
          .onFailure(this::fail);
    }

    private void fail(Throwable cause) {
      if (!done.tryFail(cause)) {
        return;
      }
      body.handler(null);
      body.pause();
      discard();
    }

    private void discard() {
      if (path == null) {
        return;
      }
      Future<Void> closed =
          file == null
              ? Future.succeededFuture()
              : file.close().recover(e -> Future.succeededFuture());
      closed.onComplete(v -> vertx.executeBlocking(() -> deleteQuietly(path), false));
    }
  }

  static boolean deleteQuietly(Path path) {
    try {
      return java.nio.file.Files.deleteIfExists(path);
    } catch (IOException e) {
      return false;
    }
  }
}
