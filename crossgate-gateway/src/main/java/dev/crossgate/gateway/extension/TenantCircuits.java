package dev.crossgate.gateway.extension;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One circuit breaker per tenant, shared by the node's event loops: after {@code threshold}
 * consecutive failed calls to a tenant's extensions the circuit opens and calls fail at once (by
 * each extension's failure policy) for {@code openFor}; then calls are let through again, and the
 * first failure re-opens it while the first success closes it. Visible as the gauge {@code
 * crossgate_extension_circuit_open{tenant}}.
 */
final class TenantCircuits {
  private final int threshold;
  private final long openNanos;
  private final LongSupplier nanoTime;
  private final MeterRegistry registry;
  private final Map<String, Circuit> circuits = new ConcurrentHashMap<>();

  TenantCircuits(int threshold, Duration openFor, LongSupplier nanoTime, MeterRegistry registry) {
    this.threshold = threshold;
    this.openNanos = openFor.toNanos();
    this.nanoTime = nanoTime;
    this.registry = registry;
  }

  private final class Circuit {
    int failures;
    long openUntil;
    boolean open;

    synchronized boolean allows(long now) {
      return !open || now - openUntil >= 0;
    }

    synchronized void record(boolean success, long now) {
      if (success) {
        failures = 0;
        open = false;
      } else if (++failures >= threshold) {
        open = true;
        openUntil = now + openNanos;
      }
    }

    synchronized double openGauge() {
      return open && nanoTime.getAsLong() - openUntil < 0 ? 1 : 0;
    }
  }

  boolean allows(String tenant) {
    var c = circuits.get(tenant);
    return c == null || c.allows(nanoTime.getAsLong());
  }

  void record(String tenant, boolean success) {
    circuit(tenant).record(success, nanoTime.getAsLong());
  }

  /** True while the tenant's circuit refuses calls. */
  boolean isOpen(String tenant) {
    var c = circuits.get(tenant);
    return c != null && c.openGauge() == 1;
  }

  private Circuit circuit(String tenant) {
    return circuits.computeIfAbsent(
        tenant,
        t -> {
          var c = new Circuit();
          Gauge.builder("crossgate_extension_circuit_open", c, Circuit::openGauge)
              .tag("tenant", t)
              .description(
                  "1 while calls to the tenant's extensions are refused after repeated failures")
              .register(registry);
          return c;
        });
  }
}
