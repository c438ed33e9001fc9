package dev.crossgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.store.transfer.ChunkStorage;
import dev.crossgate.transfer.TransferOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TransferFlagsTest {
  private static final long MIB = TransferOptions.MIB;

  @Test
  void withoutTransferOptionsTheEndpointGetsTheDocumentedDefaultsAndDiskStorage() {
    var standalone = new StandaloneCommand();
    new CommandLine(standalone).parseArgs();

    var settings = standalone.transfer.toSettings(Path.of("/var/lib/crossgate"));

    var defaults = TransferOptions.defaults(Path.of("/var/lib/crossgate/transfers"));
    assertThat(settings).usingRecursiveComparison().ignoringFields("clock").isEqualTo(defaults);
    assertThat(settings.chunkStorage()).isEqualTo(ChunkStorage.DISK);
  }

  @Test
  void transferCorsIsOffWithoutOriginsAndAnOriginWithAPathIsAUsageError() {
    var none = new StandaloneCommand();
    new CommandLine(none).parseArgs();
    var some = new StandaloneCommand();
    new CommandLine(some)
        .parseArgs("--transfer-cors-origins", "https://a.example.com,https://b.example.com:8443");
    var bad = new StandaloneCommand();
    new CommandLine(bad).parseArgs("--transfer-cors-origins", "https://a.example.com/upload");

    assertThat(none.transfer.toCors()).isNull();
    assertThat(some.transfer.toCors().allows("https://b.example.com:8443")).isTrue();
    assertThat(some.transfer.toCors().allows("https://c.example.com")).isFalse();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> bad.transfer.toCors())
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageStartingWith(
            "--transfer-cors-origins: 'https://a.example.com/upload' is not an origin");
  }

  @Test
  void theGatewayRolesTransferOptionsReachItsSettings() {
    var gateway = new GatewayCommand();
    new CommandLine(gateway)
        .parseArgs(
            "--control-plane",
            "http://cp:9080",
            "--cluster-token",
            "t",
            "--transfer-storage",
            "database",
            "--transfer-max-chunk",
            "8MiB",
            "--transfer-max-size",
            "3GiB",
            "--transfer-quota",
            "1099511627776",
            "--transfer-ttl",
            "PT30M");

    var settings = gateway.transfer.toSettings(Path.of("/data"));

    assertThat(settings.chunkStorage()).isEqualTo(ChunkStorage.DATABASE);
    assertThat(settings.maxChunkSize()).isEqualTo(8 * MIB);
    assertThat(settings.maxTransferSize()).isEqualTo(3 * 1024 * MIB);
    assertThat(settings.tenantQuota()).isEqualTo(1024 * 1024 * MIB);
    assertThat(settings.ttl()).isEqualTo(Duration.ofMinutes(30));
    assertThat(settings.dataDir()).isEqualTo(Path.of("/data/transfers"));
  }

  @Test
  void aMalformedChunkSizeIsAUsageErrorThatSaysWhatASizeLooksLike() {
    var err = new StringWriter();

    int exit =
        new CommandLine(new Crossgate())
            .setErr(new PrintWriter(err))
            .execute("standalone", "--transfer-max-chunk", "16MB");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .contains("Invalid value for option '--transfer-max-chunk'")
        .contains(
            "'16MB' is not a size; use bytes or a number with KiB, MiB, GiB or TiB, e.g. 16MiB")
        .doesNotContain("Exception");
  }

  @Test
  void aZeroChunkSizeAndAnUnknownStorageAreRefused() {
    var err = new StringWriter();
    var cli = new CommandLine(new Crossgate()).setErr(new PrintWriter(err));

    int zero =
        cli.execute(
            "gateway",
            "--control-plane",
            "http://cp:9080",
            "--cluster-token",
            "t",
            "--transfer-max-chunk",
            "0");
    int storage = cli.execute("standalone", "--transfer-storage", "s3");

    assertThat(zero).isEqualTo(2);
    assertThat(storage).isEqualTo(2);
    assertThat(err.toString())
        .contains("'0' must be positive")
        .contains("'s3' is not a transfer storage; use disk or database");
  }

  @Test
  void aChunkTooLargeForDatabaseStorageIsRefusedBeforeAnythingStarts() {
    var err = new StringWriter();

    int exit =
        new CommandLine(new Crossgate())
            .setErr(new PrintWriter(err))
            .execute(
                "standalone", "--transfer-storage", "database", "--transfer-max-chunk", "512MiB");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .contains("Invalid transfer options (--transfer-*)")
        .contains("at most 268435456 bytes (256 MiB) when chunks are stored in the database");
  }
}
