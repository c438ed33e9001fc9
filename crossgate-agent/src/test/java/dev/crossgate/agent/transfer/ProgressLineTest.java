package dev.crossgate.agent.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProgressLineTest {

  @Test
  void aLineSaysPercentBytesRateAndTimeLeftOfThisRunOnly() {
    long mib = 1024 * 1024;

    // resumed at 100 MiB, 300 MiB more in 10 s: 30 MiB/s, 600 MiB left
    var line = ProgressLine.describe(400 * mib, 1000 * mib, 100 * mib, 10);
    var stalled = ProgressLine.describe(5, 10, 5, 3);

    assertThat(line).isEqualTo(" 40% 400.0 MiB / 1000.0 MiB  30.0 MiB/s  ETA 0:20");
    assertThat(stalled).isEqualTo(" 50% 5 B / 10 B  0 B/s  ETA --:--");
  }
}
