package dev.crossgate.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How long a node lets changes gather before it writes its snapshot again. */
class SnapshotPersistDelayTest {

  @Test
  void aCheapWriteKeepsTheHalfSecondDelay() {
    assertThat(ClusterClient.persistDelay(0)).isEqualTo(500);
    assertThat(ClusterClient.persistDelay(50)).isEqualTo(500);
  }

  @Test
  void aCostlyWriteWaitsTenTimesItsDurationSoWritingTakesATenthOfTheTimeAtMost() {
    assertThat(ClusterClient.persistDelay(120)).isEqualTo(1_200);
    assertThat(ClusterClient.persistDelay(900)).isEqualTo(9_000);
  }

  @Test
  void theWaitIsCappedSoTheFileNeverFallsFarBehind() {
    assertThat(ClusterClient.persistDelay(10_000)).isEqualTo(30_000);
    assertThat(ClusterClient.persistDelay(Long.MAX_VALUE / 100)).isEqualTo(30_000);
  }
}
