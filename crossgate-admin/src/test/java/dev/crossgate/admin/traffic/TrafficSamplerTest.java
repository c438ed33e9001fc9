package dev.crossgate.admin.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TrafficSamplerTest {
  private Instant now = Instant.parse("2026-12-02T10:00:00Z");
  private final Clock clock =
      new Clock() {
        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };

  private void advance(int seconds) {
    now = now.plusSeconds(seconds);
  }

  @Test
  void eachSampleHoldsWhatHappenedSinceThePreviousOneWithThe5xxCountAndTheP99() {
    var meters = new GatewayMeters();
    var sampler = new TrafficSampler(meters::registry, clock, 10, 5);
    meters.record("rt_a", "shop", 200, Duration.ofMillis(3), 50);
    sampler.sample();

    advance(5);
    meters.record("rt_a", "shop", 200, Duration.ofMillis(7), 98);
    meters.record("rt_a", "shop", 503, Duration.ofSeconds(2), 2);
    sampler.sample();

    var samples = sampler.window(Duration.ofMinutes(1));
    assertThat(samples).hasSize(2);
    var a = samples.get(1).routes().get(0);
    assertThat(samples.get(1).seconds()).isEqualTo(5.0);
    assertThat(a.route()).isEqualTo("rt_a");
    assertThat(a.service()).isEqualTo("shop");
    assertThat(a.requests()).isEqualTo(100);
    assertThat(a.serverErrors()).isEqualTo(2);
    // 98 of 100 at 7 ms, 2 at 2 s: the 99th lies in the (1 s, 2.5 s] bucket, the first 50 at 3 ms
    // (before the previous sample) do not count
    assertThat(a.p99()).isGreaterThan(1.0).isLessThanOrEqualTo(2.5);
  }

  @Test
  void aQuietIntervalHasNoRoutesAndAFastOneHasAP99InItsBucket() {
    var meters = new GatewayMeters();
    var sampler = new TrafficSampler(meters::registry, clock, 10, 5);
    sampler.sample();
    advance(5);
    meters.record("rt_a", "shop", 200, Duration.ofMillis(7), 100);
    sampler.sample();
    advance(5);
    sampler.sample();

    var samples = sampler.window(Duration.ofMinutes(1));

    assertThat(samples).hasSize(3);
    assertThat(samples.get(0).routes()).isEmpty();
    assertThat(samples.get(1).routes().get(0).p99()).isCloseTo(0.01, within(0.0051));
    assertThat(samples.get(2).routes()).isEmpty();
  }

  @Test
  void requestsBeforeTheFirstSampleAreInIt() {
    var meters = new GatewayMeters();
    var sampler = new TrafficSampler(meters::registry, clock, 10, 5);
    advance(3);
    meters.record("rt_early", "s", 200, Duration.ofMillis(1), 7);

    sampler.sample();

    var first = sampler.window(Duration.ofMinutes(1)).get(0);
    assertThat(first.seconds()).isEqualTo(3.0);
    assertThat(first.routes())
        .singleElement()
        .satisfies(r -> assertThat(r.requests()).isEqualTo(7));
  }

  @Test
  void theRingKeepsItsCapacityAndEachSampleItsBusiestRoutes() {
    var meters = new GatewayMeters();
    var sampler = new TrafficSampler(meters::registry, clock, 3, 2);
    sampler.sample();
    for (int i = 0; i < 10; i++) {
      advance(5);
      meters.record("rt_small", "s", 200, Duration.ofMillis(1), 1);
      meters.record("rt_mid", "s", 200, Duration.ofMillis(1), 2);
      meters.record("rt_big", "s", 200, Duration.ofMillis(1), 3);
      sampler.sample();
    }

    var samples = sampler.window(Duration.ofHours(1));

    assertThat(samples).hasSize(3);
    assertThat(samples)
        .allSatisfy(
            s ->
                assertThat(s.routes())
                    .extracting(TrafficSampler.RouteDelta::route)
                    .containsExactly("rt_big", "rt_mid"));
    assertThat(samples.get(2).at()).isEqualTo(now);
  }

  @Test
  void theWindowLeavesOutOlderSamples() {
    var meters = new GatewayMeters();
    var sampler = new TrafficSampler(meters::registry, clock, 100, 5);
    sampler.sample();
    advance(5);
    meters.record("rt_a", "s", 200, Duration.ofMillis(1), 1);
    sampler.sample();
    advance(120);
    sampler.sample();

    var lastMinute = sampler.window(Duration.ofMinutes(1));
    var lastThree = sampler.window(Duration.ofMinutes(3));

    assertThat(lastMinute).singleElement().satisfies(s -> assertThat(s.routes()).isEmpty());
    assertThat(lastThree).hasSize(3);
  }

  @Test
  void aProcessWithoutANodeHasNoSourceAndNoTraffic() {
    var sampler = new TrafficSampler(() -> null, clock, 10, 5);
    sampler.sample();
    advance(5);
    sampler.sample();

    assertThat(sampler.hasSource()).isFalse();
    assertThat(sampler.window(Duration.ofMinutes(1)))
        .hasSize(2)
        .allSatisfy(s -> assertThat(s.routes()).isEmpty());
  }
}
