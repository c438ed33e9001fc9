package dev.crossgate.http;

/**
 * The names of the headers Crossgate's components send each other (gateway, agent, control plane,
 * nodes, tenants' upstreams and callbacks): each name lives here once, so both ends of a protocol
 * spell it the same way. Vert.x and HTTP/2 compare header names case-insensitively.
 */
public final class CrossgateHeaders {
  /**
   * A tenant's API key (the alternative to {@code Authorization: Bearer}); removed before anything
   * goes upstream.
   */
  public static final String API_KEY = "X-Api-Key";

  /**
   * The request's correlation id: accepted when well-formed, else made up; answered and forwarded.
   */
  public static final String REQUEST_ID = "X-Request-Id";

  /**
   * The id of the gateway node opening the cluster stream; its credential comes as a bearer token.
   */
  public static final String NODE_ID = "X-Crossgate-Node-Id";

  /** The per-node secret with which a node's own components call its request chain as a tenant. */
  public static final String INTERNAL_CREDENTIAL = "X-Crossgate-Internal";

  /** The tenant a call carrying {@link #INTERNAL_CREDENTIAL} acts for. */
  public static final String INTERNAL_TENANT = "X-Crossgate-Internal-Tenant";

  /** The async task's id: to the upstream with the request, to a callback with the result. */
  public static final String TASK_ID = "X-Crossgate-Task-Id";

  /** Where the upstream posts an async task's result; the URL carries the per-task secret. */
  public static final String RESULT_URL = "X-Crossgate-Result-Url";

  /** The async envelope (callback URL, task id...) the agent sends with a task, as JSON. */
  public static final String ENVELOPE = "X-Crossgate-Envelope";

  /**
   * The per-task secret, for an upstream posting a result without the {@code ?secret=} of the
   * result URL.
   */
  public static final String TASK_SECRET = "X-Crossgate-Task-Secret";

  /** The HTTP status the upstream's result stands for (default 200); sent on to a callback. */
  public static final String RESULT_STATUS = "X-Crossgate-Result-Status";

  /** DONE or FAILED: a task's state on its stored result, an upstream's verdict, a callback's. */
  public static final String TASK_STATUS = "X-Crossgate-Task-Status";

  /** The extension version a request was pinned to: named by a tenant, answered to the client. */
  public static final String EXTENSION_VERSION = "X-Crossgate-Extension-Version";

  /**
   * A result webhook's event type ({@code task.completed}, {@code task.failed}); Standard Webhooks'
   * "type".
   */
  public static final String EVENT = "X-Crossgate-Event";

  /** The transfer a delivered file came from, on the delivery to its target. */
  public static final String TRANSFER_ID = "X-Crossgate-Transfer-Id";

  /**
   * On every Admin API answer: the configuration revision it reflects; after a write, the revision
   * the write produced (or a later one).
   */
  public static final String REVISION = "X-Crossgate-Revision";

  /**
   * On a node's admin port: {@code applied} when the node serves the answer's revision, {@code
   * pending} when it did not within the wait.
   */
  public static final String APPLIED = "X-Crossgate-Applied";

  private CrossgateHeaders() {}

  /**
   * On a response from an upstream pool none of whose targets was healthy: the gateway tried one
   * anyway (panic mode) rather than failing the request.
   */
  public static final String UPSTREAM_PANIC = "X-Crossgate-Upstream-Panic";
}
