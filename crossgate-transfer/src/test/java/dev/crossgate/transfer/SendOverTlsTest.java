package dev.crossgate.transfer;

import static dev.crossgate.transfer.Harness.ACME_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.agent.transfer.Sender;
import dev.crossgate.agent.transfer.TransferClientOptions;
import dev.crossgate.gateway.config.TrafficTls;
import dev.crossgate.tls.TestCertificates;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code crossgate send --gateway-ca}: a gateway whose certificate a private CA signed. */
class SendOverTlsTest {
  @TempDir Path dir;
  private Harness gateway;

  @AfterEach
  void stop() {
    gateway.close();
  }

  @Test
  void aGatewayWithAPrivateCaIsReachedWithThatCaAndRefusedWithoutIt() throws Exception {
    var ca = TestCertificates.authority("Private Gateway CA");
    var server = ca.server("127.0.0.1").write(dir, "gateway");
    gateway =
        Harness.h2(
            dir, TrafficTls.of(List.of(new TrafficTls.Pair(server.cert(), server.key())), 0));
    var file = Files.write(dir.resolve("payload.bin"), new byte[300_000]);
    var withoutCa = new StringWriter();
    var withCa = new StringWriter();

    int refused =
        new Sender(new PrintWriter(withoutCa))
            .run(file, gateway.tlsBase(), ACME_KEY, dir.resolve("state-1"), null, 128 * 1024, 1);
    int sent =
        new Sender(new PrintWriter(withCa))
            .run(
                file,
                gateway.tlsBase(),
                TransferClientOptions.defaults(dir.resolve("state-2"), ACME_KEY)
                    .withChunking(128 * 1024, 1),
                ca.writeCert(dir, "ca"));

    assertThat(refused).as(withoutCa.toString()).isNotEqualTo(Sender.OK);
    assertThat(sent).as(withCa.toString()).isEqualTo(Sender.OK);
    assertThat(withCa.toString()).contains("sent payload.bin (300000 bytes)", "3 chunks sent");
  }
}
