package dev.crossgate.agent.transfer;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code crossgate send FILE URL}: sends one file with a {@link TransferClient} and reports the
 * outcome in one line. Running it again after any interruption resumes. The command-line parsing
 * lives in the app module; this class only runs.
 */
public final class Sender {
  /** Exit codes: 0 sent, 1 failed but resumable (run again), 2 failed for good. */
  public static final int OK = 0;

  public static final int RESUMABLE = 1;
  public static final int FAILED = 2;

  private final PrintWriter out;

  public Sender(PrintWriter out) {
    this.out = out;
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
    return run(file, url, apiKey, stateDir, target, chunkSize, parallelism, null);
  }

  /**
   * As above; {@code gatewayCa}, when not null, is the PEM CA an https gateway is verified against.
   */
  public int run(
      Path file,
      URI url,
      String apiKey,
      Path stateDir,
      String target,
      int chunkSize,
      int parallelism,
      Path gatewayCa) {
    if (!Files.isRegularFile(file)) {
      out.println("crossgate send: " + file + " is not a readable file");
      return FAILED;
    }
    var options =
        TransferClientOptions.defaults(stateDir, apiKey)
            .withChunking(chunkSize, parallelism)
            .withTarget(target);
    try {
      var client = TransferClient.create(options);
      var result =
          (gatewayCa == null ? client : client.trustingGatewayCa(gatewayCa)).send(file, url);
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
      out.println(
          "crossgate send: "
              + e.getMessage()
              + (e.resumable() ? " (run the same command again to resume)" : ""));
      return e.resumable() ? RESUMABLE : FAILED;
    } finally {
      out.flush();
    }
  }
}
