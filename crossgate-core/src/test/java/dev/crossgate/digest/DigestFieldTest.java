package dev.crossgate.digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossgate.problem.ProblemException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class DigestFieldTest {
  private static final byte[] HELLO = "hello".getBytes();

  @Test
  void theRfc9530ExampleValueParsesAndFormatsBack() {
    var value = "sha-256=:LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=:";

    var field = DigestField.parse("Content-Digest", value, DigestAlgorithm.SHA_256);

    assertThat(field.algorithm()).isEqualTo(DigestAlgorithm.SHA_256);
    assertThat(field.matches(DigestAlgorithm.SHA_256.digest(ByteBuffer.wrap(HELLO)))).isTrue();
    assertThat(field.toString()).isEqualTo(value);
  }

  @Test
  void unknownAlgorithmsBesideAKnownOneAreIgnoredAndThePreferredOneIsPicked() {
    var crc =
        DigestField.format(
            DigestAlgorithm.CRC32C, DigestAlgorithm.CRC32C.digest(ByteBuffer.wrap(HELLO)));
    var sha =
        DigestField.format(
            DigestAlgorithm.SHA_256, DigestAlgorithm.SHA_256.digest(ByteBuffer.wrap(HELLO)));

    var field =
        DigestField.parse(
            "Content-Digest", "md5=:AAAA:, " + crc + ", " + sha, DigestAlgorithm.SHA_256);
    var onlyCrc =
        DigestField.parse("Content-Digest", "unixsum=:AAAA:, " + crc, DigestAlgorithm.SHA_256);

    assertThat(field.algorithm()).isEqualTo(DigestAlgorithm.SHA_256);
    assertThat(onlyCrc.algorithm()).isEqualTo(DigestAlgorithm.CRC32C);
    assertThat(onlyCrc.matches(DigestAlgorithm.CRC32C.digest(ByteBuffer.wrap(HELLO)))).isTrue();
  }

  @Test
  void missingMalformedAndUnsupportedFieldsAreProblemsThatSayWhy() {
    assertThatThrownBy(() -> DigestField.parse("Content-Digest", null, DigestAlgorithm.SHA_256))
        .isInstanceOfSatisfying(
            ProblemException.class,
            e -> assertThat(e.problem().typeName()).isEqualTo("digest-required"));
    assertThatThrownBy(
            () -> DigestField.parse("Content-Digest", "sha-256=abc", DigestAlgorithm.SHA_256))
        .isInstanceOfSatisfying(
            ProblemException.class,
            e -> assertThat(e.problem().detail()).contains("byte sequences"));
    assertThatThrownBy(
            () -> DigestField.parse("Content-Digest", "sha-256=:!!!:", DigestAlgorithm.SHA_256))
        .isInstanceOf(ProblemException.class);
    assertThatThrownBy(
            () -> DigestField.parse("Content-Digest", "sha-512=:AAAA:", DigestAlgorithm.SHA_256))
        .isInstanceOfSatisfying(
            ProblemException.class,
            e -> assertThat(e.problem().typeName()).isEqualTo("unsupported-digest"));
  }
}
