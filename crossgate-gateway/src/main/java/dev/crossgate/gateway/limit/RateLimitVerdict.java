package dev.crossgate.gateway.limit;

import dev.crossgate.problem.Problem;
import dev.crossgate.ratelimit.RateLimit;
import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What the counters of one request said, and how that is answered: the RateLimit header fields of
 * draft-ietf-httpapi-ratelimit-headers-07 on every response the policies applied to, and a 429
 * problem with {@code Retry-After} (RFC 6585 section 4, RFC 9110 section 10.2.3) when a counter was
 * empty.
 *
 * @param allowed whether the request took a token from every counter
 * @param outcomes one per counter, in the counters' order
 */
public record RateLimitVerdict(boolean allowed, List<Outcome> outcomes) {
  public static final String POLICY_FIELD = "RateLimit-Policy";
  public static final String FIELD = "RateLimit";

  /**
   * @param remaining whole requests the counter allows right now
   * @param resetSeconds seconds until the bucket is full again
   * @param waitSeconds seconds until it holds a token again (0 when it holds one)
   */
  public record Outcome(RateLimit policy, long remaining, long resetSeconds, long waitSeconds) {}

  public RateLimitVerdict {
    outcomes = List.copyOf(outcomes);
  }

  /**
   * The verdict for buckets holding {@code tokensAfter} after the request, sized for one of {@code
   * nodes} nodes (remaining and reset are this node's share while counting locally).
   */
  static RateLimitVerdict of(
      List<Counter> counters, double[] tokensAfter, boolean allowed, int nodes) {
    var outcomes = new ArrayList<Outcome>(counters.size());
    for (int i = 0; i < tokensAfter.length; i++) {
      var counter = counters.get(i);
      double tokens = Math.max(0, tokensAfter[i]);
      double perSecond = counter.perSecond(nodes);
      long reset = (long) Math.ceil((counter.capacity(nodes) - tokens) / perSecond);
      long wait = tokens >= 1 ? 0 : Math.max(1, (long) Math.ceil((1 - tokens) / perSecond));
      outcomes.add(new Outcome(counter.policy(), (long) Math.floor(tokens), reset, wait));
    }
    return new RateLimitVerdict(allowed, outcomes);
  }

  /** Seconds until every counter holds a token again: the {@code Retry-After} of a refusal. */
  public long retryAfterSeconds() {
    return outcomes.stream().mapToLong(Outcome::waitSeconds).max().orElse(0);
  }

  /**
   * The counter closest to refusing: the one the {@code RateLimit} field describes (the draft's
   * "the policy with the lowest remaining quota"); on a refusal, the one that refuses longest.
   */
  public Outcome tightest() {
    Outcome tightest = null;
    for (var o : outcomes) {
      if (tightest == null
          || o.waitSeconds() > tightest.waitSeconds()
          || (o.waitSeconds() == tightest.waitSeconds() && o.remaining() < tightest.remaining())) {
        tightest = o;
      }
    }
    return tightest;
  }

  /**
   * Sets {@code RateLimit-Policy} (every policy, e.g. {@code 50;w=1;burst=5, 1000;w=3600}) and
   * {@code RateLimit} (the tightest: {@code limit=50, remaining=0, reset=1}) on {@code headers}.
   */
  public void addHeaders(MultiMap headers) {
    if (outcomes.isEmpty()) {
      return;
    }
    headers.set(
        POLICY_FIELD,
        outcomes.stream()
            .map(o -> o.policy().policyItem())
            .distinct()
            .collect(Collectors.joining(", ")));
    var t = tightest();
    headers.set(
        FIELD,
        "limit="
            + t.policy().limit()
            + ", remaining="
            + t.remaining()
            + ", reset="
            + Math.max(t.resetSeconds(), t.waitSeconds()));
  }

  /** The 429 a refused request gets; the renderer adds {@code Retry-After} from it. */
  public Problem problem() {
    var t = tightest();
    return Problem.of(
            "too-many-requests",
            "Too many requests",
            429,
            "the "
                + t.policy().scope()
                + " rate limit of "
                + t.policy().limit()
                + " requests per "
                + t.policy().window().text()
                + " is used up")
        .with("limit", t.policy().limit())
        .with("window", t.policy().window().text())
        .with("scope", t.policy().scope().name())
        .with("retryAfter", retryAfterSeconds());
  }
}
