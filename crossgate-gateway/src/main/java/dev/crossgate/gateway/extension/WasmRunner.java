package dev.crossgate.gateway.extension;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.ChicoryException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Runs a cached WebAssembly extension in-process with the contract of a remote one: the input JSON
 * on WASI stdin, the answer JSON from stdout, entry point {@code _start}. Each call gets a fresh
 * instance (no state leaks between requests) on the WebAssembly worker pool, shared between tenants
 * by {@link WasmScheduler}. Limits: wall time from the start of the run (the worker thread is
 * interrupted, which Chicory's interpreter honours), memory pages (set when the module was loaded),
 * stdout size. A trap, an exit code other than 0, an interruption or an overflow fail the call.
 */
final class WasmRunner {
  private final Vertx vertx;
  private final WasmScheduler scheduler;
  private final int outputLimit;

  WasmRunner(Vertx vertx, WasmScheduler scheduler, int outputLimit) {
    this.vertx = vertx;
    this.scheduler = scheduler;
    this.outputLimit = outputLimit;
  }

  /**
   * Runs {@code tenant}'s module when the scheduler gives it a thread; completes on the caller's
   * context.
   */
  Future<JsonNode> run(String tenant, WasmModules.Loaded loaded, Buffer input, long timeoutMs) {
    var bytes = input.getBytes();
    return scheduler
        .<Buffer>submit(tenant, () -> runOnWorker(loaded, bytes, timeoutMs))
        .map(RemoteCaller::parse);
  }

  private Buffer runOnWorker(WasmModules.Loaded loaded, byte[] input, long timeoutMs) {
    var stdout = new BoundedOutput(outputLimit);
    var watchdog = new Watchdog(Thread.currentThread());
    long timer = vertx.setTimer(timeoutMs, t -> watchdog.fire());
    try (var wasi =
        WasiPreview1.builder()
            .withOptions(
                WasiOptions.builder()
                    .withStdin(new ByteArrayInputStream(input))
                    .withStdout(stdout)
                    .withStderr(OutputStream.nullOutputStream())
                    .build())
            .build()) {
      var instance =
          Instance.builder(loaded.module())
              .withImportValues(ImportValues.builder().addFunction(wasi.toHostFunctions()).build())
              .withMemoryLimits(loaded.limits())
              .withStart(false)
              .build();
      instance.export("_start").apply();
    } catch (WasiExitException e) {
      if (e.exitCode() != 0) {
        throw new ExtensionFailure(
            ExtensionFailure.Kind.TRAP, "the module exited with code " + e.exitCode());
      }
    } catch (ChicoryInterruptedException e) {
      throw new ExtensionFailure(
          ExtensionFailure.Kind.TIMEOUT, "the module ran longer than " + timeoutMs + " ms");
    } catch (ChicoryException e) {
      if (watchdog.fired()) {
        throw new ExtensionFailure(
            ExtensionFailure.Kind.TIMEOUT, "the module ran longer than " + timeoutMs + " ms");
      }
      throw new ExtensionFailure(ExtensionFailure.Kind.TRAP, "the module trapped");
    } finally {
      vertx.cancelTimer(timer);
      watchdog.disarm();
    }
    if (stdout.overflowed) {
      throw new ExtensionFailure(
          ExtensionFailure.Kind.TOO_LARGE, "the module wrote more than " + outputLimit + " bytes");
    }
    return Buffer.buffer(stdout.toByteArray());
  }

  /**
   * Interrupts the worker thread once the wall time is up, but never after the run ended: the
   * thread goes back to the pool and must not carry the interrupt into another task.
   */
  private static final class Watchdog {
    private final Thread worker;
    private boolean running = true;
    private boolean fired;

    Watchdog(Thread worker) {
      this.worker = worker;
    }

    synchronized void fire() {
      if (running) {
        fired = true;
        worker.interrupt();
      }
    }

    synchronized boolean fired() {
      return fired;
    }

    void disarm() {
      synchronized (this) {
        running = false;
      }
      Thread.interrupted(); // clears an interrupt delivered after the module returned
    }
  }

  /** Stdout with a size limit; writes beyond it fail, which the module sees as an I/O error. */
  private static final class BoundedOutput extends ByteArrayOutputStream {
    private final int limit;
    boolean overflowed;

    BoundedOutput(int limit) {
      this.limit = limit;
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      if (count + len > limit) {
        overflowed = true;
        return;
      }
      super.write(b, off, len);
    }

    @Override
    public synchronized void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b) throws IOException {
      write(b, 0, b.length);
    }
  }
}
