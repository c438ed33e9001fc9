package dev.crossgate.transfer;

import dev.crossgate.agent.transfer.TransferClient;
import dev.crossgate.agent.transfer.TransferClientOptions;
import java.net.URI;
import java.nio.file.Path;

/**
 * A transfer client in a process of its own, for {@link ClientKillTest} to kill: {@code FILE URL
 * STATE_DIR CHUNK PARALLEL}, the API key in {@code -Dclient.key}. (bench/transfer/run.sh runs the
 * shipped {@code crossgate send} instead.)
 */
public final class ClientProcess {
  private ClientProcess() {}

  public static void main(String[] args) throws Exception {
    var options =
        TransferClientOptions.defaults(Path.of(args[2]), System.getProperty("client.key"))
            .withChunking(Integer.parseInt(args[3]), Integer.parseInt(args[4]));
    TransferClient.create(options).send(Path.of(args[0]), URI.create(args[1]));
    System.exit(0);
  }
}
