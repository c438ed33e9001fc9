package dev.crossgate.extension;

import java.time.Instant;
import java.util.Objects;

/**
 * Where one node's WebAssembly module cache is with a module, for a tenant whose extension asked
 * for it. Nodes report these on every heartbeat of the cluster stream, so {@code GET
 * /admin/tenants/{t}/extensions/{id}/versions/{v}} shows the load state of the version's module on
 * each node ({@link OnNode}). The cache keys on the digest, whether the module was uploaded to the
 * platform or fetched from the tenant's URL; the tenant is kept beside it so that a tenant only
 * ever sees the state of modules its own extensions asked for.
 *
 * @param since when the module entered this state on the node
 * @param detail why it failed, in words safe to show the tenant (no URL, no stack trace); null
 *     unless {@link State#FAILED}
 */
public record ModuleLoad(String tenant, String sha256, State state, Instant since, String detail) {
  /** The longest failure detail reported; the rest of a long parser message is cut. */
  public static final int MAX_DETAIL = 200;

  public ModuleLoad {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(state, "state");
    if (detail != null && detail.length() > MAX_DETAIL) {
      detail = detail.substring(0, MAX_DETAIL);
    }
  }

  public enum State {
    /** Being fetched (or read from the node's module directory), verified and compiled. */
    FETCHING,
    /** Compiled and cached: calls run in-process. */
    LOADED,
    /** Could not be loaded; the node tries again a minute after {@code since}. */
    FAILED,
    /** The node never loaded it (no call asked for it yet), or has not reported. */
    NOT_LOADED
  }

  /**
   * A module's state on one node, as the version view lists it.
   *
   * @param nodeId the node's id ({@code standalone} for the node inside a standalone process)
   * @param since null when {@link State#NOT_LOADED}
   */
  public record OnNode(String nodeId, State state, Instant since, String detail) {
    public static OnNode notLoaded(String nodeId) {
      return new OnNode(nodeId, State.NOT_LOADED, null, null);
    }

    public static OnNode of(String nodeId, ModuleLoad load) {
      return new OnNode(nodeId, load.state(), load.since(), load.detail());
    }
  }
}
