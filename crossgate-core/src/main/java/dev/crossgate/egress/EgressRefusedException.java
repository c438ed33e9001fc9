package dev.crossgate.egress;

/**
 * An outbound connection the {@link EgressPolicy} refused. The message is the operator's reason
 * (which address, which rule) and goes to the log; tenants get {@link #SAFE_DETAIL} only, the same
 * whatever the reason, so a refusal tells them nothing about the network behind the gateway.
 */
public final class EgressRefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  public static final String SAFE_DETAIL =
      "the address is not one this service may connect to (a public address, or one the operator allows)";

  private final String host;

  public EgressRefusedException(String host, String reason) {
    super(reason, null, false, false);
    this.host = host;
  }

  /** The host name or literal the refused URL named. */
  public String host() {
    return host;
  }
}
