package dev.crossgate.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossgate.problem.ProblemException;
import org.junit.jupiter.api.Test;

class TransferIdsTest {
  @Test
  void transferIdsCannotLeaveTheirDirectory() {
    assertThat(TransferIds.require("id", "report_2026-01.v2")).isEqualTo("report_2026-01.v2");
    for (var bad :
        new String[] {"..", "../x", "a/b", ".hidden", "a\\b", "", "x".repeat(129), "a b", "é"}) {
      assertThatThrownBy(() -> TransferIds.require("id", bad))
          .as(bad)
          .isInstanceOf(ProblemException.class);
    }
  }
}
