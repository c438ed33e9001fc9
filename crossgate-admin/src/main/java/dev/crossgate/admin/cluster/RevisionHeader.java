package dev.crossgate.admin.cluster;

import dev.crossgate.admin.http.AdminEndpoint;
import dev.crossgate.http.CrossgateHeaders;
import dev.crossgate.store.ChangeLog;
import io.vertx.ext.web.Router;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts {@code X-Crossgate-Revision} on every authenticated Admin API answer: the configuration
 * revision it reflects, and after a write the revision that write committed (or a later one). A
 * node's admin port waits for its node to apply that revision before it answers a forwarded write,
 * and a client can hand it to {@code ?minRevision=} on a node. Mounted first, behind
 * authentication: a caller without a token learns nothing.
 */
public final class RevisionHeader implements AdminEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(RevisionHeader.class);

  private final ConfigFollower follower;

  /**
   * The newest revision this instance committed: the follower learns of it a moment after the write
   * answers.
   */
  private final AtomicLong committedHere = new AtomicLong();

  public RevisionHeader(ConfigFollower follower, ChangeLog changeLog) {
    this.follower = follower;
    changeLog.onCommit(
        () -> {
          try {
            committedHere.accumulateAndGet(changeLog.latestRevision(), Math::max);
          } catch (RuntimeException e) {
            // the write is committed: answer it; the header falls back to the follower's revision
            LOG.warn("cannot read the revision after a write error=\"{}\"", e.getMessage());
          }
        });
  }

  /** The newest revision this instance knows committed. */
  long revision() {
    return Math.max(committedHere.get(), follower.get().revision());
  }

  @Override
  public void mount(Router router) {
    router
        .route("/admin/*")
        .handler(
            ctx -> {
              ctx.addHeadersEndHandler(
                  v ->
                      ctx.response()
                          .putHeader(CrossgateHeaders.REVISION, Long.toString(revision())));
              ctx.next();
            });
  }
}
