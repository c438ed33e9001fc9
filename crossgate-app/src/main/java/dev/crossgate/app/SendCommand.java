package dev.crossgate.app;

import dev.crossgate.agent.transfer.Sender;
import dev.crossgate.agent.transfer.TransferClientOptions;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code crossgate send FILE URL}: a resumable upload; run it again after any interruption to
 * resume.
 */
@Command(
    name = "send",
    mixinStandardHelpOptions = true,
    description =
        "Send a file to a gateway in numbered, digested chunks; run again to resume after a break.",
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
      "0:sent",
      "1:interrupted (Ctrl-C, a broken connection): the command that resumes is printed",
      "2:failed for good"
    })
final class SendCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", description = "The file to send.")
  Path file;

  @Parameters(
      index = "1",
      description = "The gateway, e.g. http://127.0.0.1:9000 (or its /_transfers URL).")
  URI url;

  @Option(
      names = "--api-key",
      required = true,
      defaultValue = "${env:CROSSGATE_API_KEY}",
      description = "The caller's API key (or env CROSSGATE_API_KEY).")
  String apiKey;

  @Option(
      names = "--target",
      description =
          "Where the gateway delivers the assembled file: an absolute URL or a gateway route path (/sync/…, /async/…).")
  String target;

  @Option(
      names = "--chunk-size",
      converter = ByteSize.Int.class,
      defaultValue = "" + TransferClientOptions.DEFAULT_CHUNK_SIZE,
      description = "Chunk size: bytes or a number with KiB, MiB, GiB (default: ${DEFAULT-VALUE}).")
  int chunkSize;

  @Option(
      names = "--parallel",
      defaultValue = "2",
      description = "Chunks in flight at once (default: ${DEFAULT-VALUE}).")
  int parallel;

  @Option(
      names = "--digest",
      defaultValue = "sha-256",
      converter = DigestName.class,
      description =
          "Digest of each chunk and of the whole file: sha-256 or crc32c, about twice as fast on "
              + "both ends but a checksum against accidents only, not tampering (default: ${DEFAULT-VALUE}).")
  String digest;

  @Option(
      names = "--gateway-ca",
      description =
          "PEM CA certificate(s) to verify an https gateway with, e.g. a "
              + "private CA (default: the JVM's trust store).")
  Path gatewayCa;

  @Option(
      names = "--data-dir",
      defaultValue = "./data",
      description = "Where resumption state is kept (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Override
  public Integer call() {
    var out = new PrintWriter(spec.commandLine().getOut(), true);
    var resume = resumeCommand(spec.commandLine().getParseResult().originalArgs());
    var options =
        TransferClientOptions.defaults(dataDir.resolve("send"), apiKey)
            .withChunking(chunkSize, parallel)
            .withTarget(target)
            .withDigest(digest);
    return new Sender(out, resume).run(file, url, options, gatewayCa);
  }

  /**
   * This command line as typed ({@code args} from {@code send} on), the API key's value replaced by
   * the variable that can hold it.
   */
  static String resumeCommand(List<String> args) {
    var words = new ArrayList<String>(List.of("crossgate"));
    for (int i = 0; i < args.size(); i++) {
      var arg = args.get(i);
      if (arg.equals("--api-key") && i + 1 < args.size()) {
        words.add(arg);
        words.add("\"$CROSSGATE_API_KEY\"");
        i++;
      } else if (arg.startsWith("--api-key=")) {
        words.add("--api-key=\"$CROSSGATE_API_KEY\"");
      } else {
        words.add(quoted(arg));
      }
    }
    return String.join(" ", words);
  }

  private static String quoted(String word) {
    return word.matches("[A-Za-z0-9_./:=@%+,-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
  }

  /** The chunk and whole-file digest algorithms the native transfer protocol offers. */
  static final class DigestName implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      if (value.equals("sha-256") || value.equals("crc32c")) {
        return value;
      }
      throw new TypeConversionException("'" + value + "' is not sha-256 or crc32c");
    }
  }
}
