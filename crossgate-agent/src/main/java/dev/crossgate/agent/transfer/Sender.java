package dev.crossgate.agent.transfer;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code crossgate send FILE URL}: sends one file with a {@link TransferClient}, shows its progress
 * (a redrawn line on a terminal, a plain line every few seconds elsewhere) and reports the outcome
 * in one line. Running it again after any interruption resumes; interrupted by Ctrl-C (or SIGTERM)
 * it stops sending, keeps its state, prints the command that resumes and exits with {@link
 * #RESUMABLE}. The command-line parsing lives in the app module; this class only runs.
 */
public final class Sender {
  /** Exit codes: 0 sent, 1 failed but resumable (run again), 2 failed for good. */
  public static final int OK = 0;

  public static final int RESUMABLE = 1;
  public static final int FAILED = 2;

  private final PrintWriter out;
  private final String resumeCommand;

  public Sender(PrintWriter out) {
    this(out, null);
  }

  /**
   * @param resumeCommand the command line that resumes this send, printed when it is interrupted
   *     (secrets left out), or null
   */
  public Sender(PrintWriter out, String resumeCommand) {
    this.out = out;
    this.resumeCommand = resumeCommand;
  }

  /**
   * @param url the gateway ({@code http://host:9000}) or its {@code /_transfers} URL
   * @param stateDir where resumption state is kept (e.g. the data dir's {@code send} folder)
   * @param target optional URL the gateway delivers the file to
   */
  public int run(
      Path file,
      URI url,
      String apiKey,
      Path stateDir,
      String target,
      int chunkSize,
      int parallelism) {
    return run(
        file,
        url,
        TransferClientOptions.defaults(stateDir, apiKey)
            .withChunking(chunkSize, parallelism)
            .withTarget(target),
        null);
  }

  /**
   * As above, with every option of the client; {@code gatewayCa}, when not null, is the PEM CA an
   * https gateway is verified against.
   */
  public int run(Path file, URI url, TransferClientOptions options, Path gatewayCa) {
    if (!Files.isRegularFile(file)) {
      out.println("crossgate send: " + file + " is not a readable file");
      return FAILED;
    }
    var client = TransferClient.create(options).reportingProgressTo(out);
    var interrupted = new AtomicBoolean();
    var exitCode = new AtomicInteger(RESUMABLE);
    var finished = new CountDownLatch(1);
    // Ctrl-C or SIGTERM: stop sending, let run() report, then end with its code (a shutdown hook
    // cannot return one, so it halts once the report is written)
    var onSignal =
        new Thread(
            () -> {
              interrupted.set(true);
              client.cancel();
              try {
                finished.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              Runtime.getRuntime().halt(exitCode.get());
            },
            "crossgate-send-interrupt");
    Runtime.getRuntime().addShutdownHook(onSignal);
    try {
      exitCode.set(
          send(
              gatewayCa == null ? client : client.trustingGatewayCa(gatewayCa),
              file,
              url,
              interrupted));
      return exitCode.get();
    } finally {
      out.flush();
      finished.countDown();
      if (!interrupted.get()) {
        try {
          Runtime.getRuntime().removeShutdownHook(onSignal);
        } catch (IllegalStateException shuttingDown) {
          // the JVM is already stopping: the hook runs and halts with the code set above
        }
      }
    }
  }

  private int send(TransferClient client, Path file, URI url, AtomicBoolean interrupted) {
    try {
      var result = client.send(file, url);
      out.printf(
          "crossgate send: sent %s (%d bytes) as %s: %d chunks sent, %d resent, %d already held%s%n",
          file.getFileName(),
          result.totalSize(),
          result.taskId(),
          result.chunksSent(),
          result.chunksResent(),
          result.chunksSkipped(),
          result.delivery() == null ? "" : "; " + result.delivery());
      return OK;
    } catch (TransferException e) {
      if (interrupted.get()) {
        out.println(
            "crossgate send: interrupted; what was sent is kept. To resume, run: "
                + (resumeCommand == null ? "the same command again" : resumeCommand));
        return RESUMABLE;
      }
      out.println(
          "crossgate send: "
              + e.getMessage()
              + (e.resumable() ? " (run the same command again to resume)" : ""));
      return e.resumable() ? RESUMABLE : FAILED;
    }
  }
}
