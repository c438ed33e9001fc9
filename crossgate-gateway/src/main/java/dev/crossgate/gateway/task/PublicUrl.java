package dev.crossgate.gateway.task;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's external base URL, from which {@code X-Crossgate-Result-Url} is built for async
 * CALLBACK upstreams. Never taken from the request: a caller's {@code Host} header would let it
 * send the upstream — with the task's secret in the URL — to a collector of its choosing.
 *
 * <p>The operator's {@code --public-url} when given; otherwise, for a gateway bound to a loopback
 * address, {@code http://<bind>:<port>} (upstreams on the same host reach it there); otherwise
 * none: a CALLBACK task is then refused with 503 and the missing setting is logged once. Shared by
 * the node's event loops.
 */
public final class PublicUrl {
  private static final Logger LOG = LoggerFactory.getLogger(PublicUrl.class);

  private final String configured;
  private final String loopbackHost;
  private final AtomicBoolean warned = new AtomicBoolean();

  private PublicUrl(String configured, String loopbackHost) {
    this.configured = configured;
    this.loopbackHost = loopbackHost;
  }

  /**
   * @param configured {@code --public-url} (validated by the gateway options), or null
   * @param bind the address the gateway listens on
   */
  public static PublicUrl of(String configured, String bind) {
    return new PublicUrl(configured, loopback(bind));
  }

  /**
   * The base URL, or null when there is none (the WARN is written on the first such call).
   *
   * @param port the port this node's listener bound
   */
  String base(int port) {
    if (configured != null) {
      return configured;
    }
    if (loopbackHost != null) {
      return "http://" + loopbackHost + ":" + port;
    }
    if (warned.compareAndSet(false, true)) {
      LOG.warn(
          "event=public-url-missing detail=\"a CALLBACK route was called but this gateway binds a non-loopback"
              + " address and has no --public-url; such tasks are refused with 503 until the operator sets it\"");
    }
    return null;
  }

  /** The host part of a loopback bind address as it goes in a URL, or null for any other bind. */
  private static String loopback(String bind) {
    if (bind.equalsIgnoreCase("localhost")) {
      return "localhost";
    }
    var bare =
        bind.startsWith("[") && bind.endsWith("]") ? bind.substring(1, bind.length() - 1) : bind;
    if (!bare.matches("[0-9a-fA-F:.]+")) {
      return null; // a host name other than localhost: not resolved here, so not trusted as
      // loopback
    }
    try {
      var address = InetAddress.getByName(bare);
      if (!address.isLoopbackAddress()) {
        return null;
      }
      return bare.contains(":") ? "[" + bare + "]" : bare;
    } catch (java.net.UnknownHostException e) {
      return null;
    }
  }
}
