package dev.crossgate.admin.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.crossgate.traffic.RouteTraffic;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
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
    var a = samples.get(1).local().get(0);
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
    assertThat(samples.get(0).local()).isEmpty();
    assertThat(samples.get(1).local().get(0).p99()).isCloseTo(0.01, within(0.0051));
    assertThat(samples.get(2).local()).isEmpty();
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
    assertThat(first.local()).singleElement().satisfies(r -> assertThat(r.requests()).isEqualTo(7));
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
                assertThat(s.local())
                    .extracting(RouteTraffic::route)
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

    assertThat(lastMinute).singleElement().satisfies(s -> assertThat(s.local()).isEmpty());
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
        .allSatisfy(s -> assertThat(s.local()).isEmpty());
  }

  @Test
  void nodesReportsAreSummedWithTheInProcessNodeAndTheP99ComesFromTheSummedBuckets() {
    var meters = new GatewayMeters();
    var sampler = new TrafficSampler(meters::registry, clock, 10, 5);
    advance(5);
    meters.record("rt_a", "shop", 200, Duration.ofMillis(3), 10);
    sampler.report("n1", List.of(traffic("rt_a", 90, 0, Map.of(0.005, 90L, 2.5, 90L))));
    sampler.report("n2", List.of(traffic("rt_a", 100, 10, Map.of(0.005, 0L, 2.5, 100L))));

    sampler.sample();

    var sample = sampler.window(Duration.ofMinutes(1)).get(0);
    var all = sample.routes(null).get("rt_a");
    assertThat(all.requests()).isEqualTo(200);
    assertThat(all.serverErrors()).isEqualTo(10);
    // 100 of 200 at or below 5 ms: the p99 of the sum lies in (5 ms, 2.5 s], where n1's alone does
    // not reach and n2's alone is
    assertThat(all.p99()).isGreaterThan(0.005).isLessThanOrEqualTo(2.5);
    assertThat(sample.routes("n1").get("rt_a").p99()).isLessThanOrEqualTo(0.005);
    assertThat(sample.routes("n2").get("rt_a").requests()).isEqualTo(100);
    assertThat(sample.routes("n3")).isEmpty();
  }

  @Test
  void aNodesReportsWithinOneIntervalAddUpAndTheNextIntervalStartsEmpty() {
    var sampler = new TrafficSampler(() -> null, clock, 10, 5);
    sampler.report("n1", List.of(traffic("rt_a", 3, 1, Map.of(0.005, 3L))));
    sampler.report("n1", List.of(traffic("rt_a", 4, 0, Map.of(0.005, 4L))));
    advance(5);
    sampler.sample();
    advance(5);
    sampler.sample();

    var samples = sampler.window(Duration.ofMinutes(1));

    assertThat(samples.get(0).routes("n1").get("rt_a").requests()).isEqualTo(7);
    assertThat(samples.get(0).routes("n1").get("rt_a").serverErrors()).isEqualTo(1);
    assertThat(samples.get(1).nodes()).isEmpty();
  }

  @Test
  void aNodeThatReportsEndlessRoutesIsHeldToItsBusiestPerSample() {
    var sampler = new TrafficSampler(() -> null, clock, 10, 2);
    for (int i = 0; i < 100; i++) {
      sampler.report("n1", List.of(traffic("rt_" + i, 1 + i % 3, 0, Map.of())));
    }
    advance(5);

    sampler.sample();

    assertThat(sampler.window(Duration.ofMinutes(1)).get(0).nodes().get("n1"))
        .hasSize(2)
        .allSatisfy(r -> assertThat(r.requests()).isEqualTo(3));
  }

  private static RouteTraffic traffic(
      String route, long requests, long serverErrors, Map<Double, Long> buckets) {
    return new RouteTraffic(
        route, "shop", "v1", requests, serverErrors, requests, new java.util.TreeMap<>(buckets));
  }
}
