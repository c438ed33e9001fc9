package dev.crossgate.agent;

import dev.crossgate.egress.EgressPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a {@code crossgate agent} runs.
 *
 * @param gatewayUrl the gateway it forwards to, e.g. {@code http://gw:9000}
 * @param apiKey the caller network's API key, presented to the gateway as {@code X-Api-Key}
 * @param dataDir where the local task database lives (survives restarts)
 * @param callbackAllow URL prefixes a caller's {@code X-Callback-Url} must start with (scheme, host
 *     and port equal, path under); empty: callbacks are refused, callers poll the agent
 * @param webhookSecret Standard Webhooks signing secret ({@code whsec_} + base64, or any string)
 * @param pollInitial first delay before polling the gateway for a submitted task
 * @param pollMax longest delay between polls (and submit retries) of one task
 * @param maxConcurrent gateway calls and deliveries the supervisor runs at once
 * @param deliveryWindow how long a result keeps being offered to a failing callback
 * @param declarationsRefresh how often the interface declarations are fetched again
 * @param maxBodyBytes largest caller body an async task stores (413 above it)
 * @param gatewayTimeout how long a query waits on a silent gateway, for the answer's head and then
 *     between pieces of its body (504 before the head; the caller's connection is reset after it)
 * @param egress which addresses callbacks may reach, checked on top of {@code callbackAllow} when a
 *     task is accepted and again on every delivery; null is {@link EgressPolicy#DEFAULT}
 */
public record AgentOptions(
    String gatewayUrl,
    String apiKey,
    String bind,
    int port,
    Path dataDir,
    List<String> callbackAllow,
    String webhookSecret,
    Duration pollInitial,
    Duration pollMax,
    int maxConcurrent,
    Duration deliveryWindow,
    Duration declarationsRefresh,
    long maxBodyBytes,
    Duration gatewayTimeout,
    EgressPolicy egress) {

  public AgentOptions {
    Objects.requireNonNull(gatewayUrl, "gatewayUrl");
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(webhookSecret, "webhookSecret");
    callbackAllow = List.copyOf(callbackAllow);
    egress = egress == null ? EgressPolicy.DEFAULT : egress;
    gatewayUrl =
        gatewayUrl.endsWith("/") ? gatewayUrl.substring(0, gatewayUrl.length() - 1) : gatewayUrl;
    if (maxConcurrent < 1
        || pollInitial.toMillis() < 1
        || pollMax.compareTo(pollInitial) < 0
        || gatewayTimeout.toMillis() < 1) {
      throw new IllegalArgumentException("agent options out of range");
    }
  }

  /** Polls from 1 s up to 30 s, 32 concurrent calls, deliveries retried for 24 h. */
  public static AgentOptions defaults(
      String gatewayUrl, String apiKey, Path dataDir, String webhookSecret) {
    return new AgentOptions(
        gatewayUrl,
        apiKey,
        "127.0.0.1",
        7000,
        dataDir,
        List.of(),
        webhookSecret,
        Duration.ofSeconds(1),
        Duration.ofSeconds(30),
        32,
        Duration.ofHours(24),
        Duration.ofSeconds(30),
        16L << 20,
        Duration.ofSeconds(120),
        EgressPolicy.DEFAULT);
  }

  public AgentOptions withListen(String newBind, int newPort) {
    return new AgentOptions(
        gatewayUrl,
        apiKey,
        newBind,
        newPort,
        dataDir,
        callbackAllow,
        webhookSecret,
        pollInitial,
        pollMax,
        maxConcurrent,
        deliveryWindow,
        declarationsRefresh,
        maxBodyBytes,
        gatewayTimeout,
        egress);
  }

  public AgentOptions withCallbackAllow(List<String> prefixes) {
    return new AgentOptions(
        gatewayUrl,
        apiKey,
        bind,
        port,
        dataDir,
        prefixes,
        webhookSecret,
        pollInitial,
        pollMax,
        maxConcurrent,
        deliveryWindow,
        declarationsRefresh,
        maxBodyBytes,
        gatewayTimeout,
        egress);
  }

  public AgentOptions withPolling(Duration initial, Duration max, int concurrent) {
    return new AgentOptions(
        gatewayUrl,
        apiKey,
        bind,
        port,
        dataDir,
        callbackAllow,
        webhookSecret,
        initial,
        max,
        concurrent,
        deliveryWindow,
        declarationsRefresh,
        maxBodyBytes,
        gatewayTimeout,
        egress);
  }

  public AgentOptions withDeliveryWindow(Duration window) {
    return new AgentOptions(
        gatewayUrl,
        apiKey,
        bind,
        port,
        dataDir,
        callbackAllow,
        webhookSecret,
        pollInitial,
        pollMax,
        maxConcurrent,
        window,
        declarationsRefresh,
        maxBodyBytes,
        gatewayTimeout,
        egress);
  }

  public AgentOptions withEgress(EgressPolicy policy) {
    return new AgentOptions(
        gatewayUrl,
        apiKey,
        bind,
        port,
        dataDir,
        callbackAllow,
        webhookSecret,
        pollInitial,
        pollMax,
        maxConcurrent,
        deliveryWindow,
        declarationsRefresh,
        maxBodyBytes,
        gatewayTimeout,
        policy);
  }

  /** How long a query waits on a silent gateway (for its head, then between body pieces). */
  public AgentOptions withGatewayTimeout(Duration timeout) {
    return new AgentOptions(
        gatewayUrl,
        apiKey,
        bind,
        port,
        dataDir,
        callbackAllow,
        webhookSecret,
        pollInitial,
        pollMax,
        maxConcurrent,
        deliveryWindow,
        declarationsRefresh,
        maxBodyBytes,
        timeout,
        egress);
  }
}
