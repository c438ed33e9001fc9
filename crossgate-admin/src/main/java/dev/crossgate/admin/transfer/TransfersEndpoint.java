package dev.crossgate.admin.transfer;

import dev.crossgate.admin.http.AdminEndpoint;
import dev.crossgate.admin.http.Replies;
import dev.crossgate.store.transfer.TransferRecord;
import dev.crossgate.store.transfer.TransferRepository;
import io.vertx.ext.web.Router;
import java.time.Instant;
import java.util.Map;

/**
 * {@code GET /admin/transfers?limit=N}: the operators' view of resumable transfers, newest first,
 * with owner, status, progress and expiry. Chunk data and digests stay out of it.
 */
public final class TransfersEndpoint implements AdminEndpoint {
  private final TransferRepository transfers;

  public TransfersEndpoint(TransferRepository transfers) {
    this.transfers = transfers;
  }

  /** One transfer as operators see it. */
  public record TransferView(
      String owner,
      String id,
      String protocol,
      String name,
      String status,
      Long totalSize,
      long receivedBytes,
      Integer percent,
      long chunkSize,
      long chunkCount,
      String target,
      String failure,
      String delivery,
      Instant createdAt,
      Instant updatedAt,
      Instant expiresAt) {
    static TransferView of(TransferRecord t) {
      Integer percent =
          t.totalSize() == null || t.totalSize() == 0
              ? null
              : (int) Math.min(100, t.receivedBytes() * 100 / t.totalSize());
      return new TransferView(
          t.owner(),
          t.id(),
          t.protocol(),
          t.name(),
          t.status().name(),
          t.totalSize(),
          t.receivedBytes(),
          percent,
          t.chunkSize(),
          t.chunkCount(),
          t.target(),
          t.failure(),
          t.delivery(),
          t.createdAt(),
          t.updatedAt(),
          t.expiresAt());
    }
  }

  @Override
  public void mount(Router router) {
    router
        .get("/admin/transfers")
        .handler(
            ctx -> {
              int limit = Replies.intParam(ctx, "limit", 100, 1, 1000);
              Replies.blocking(
                  ctx,
                  200,
                  () ->
                      Map.of(
                          "items",
                          transfers.recent(limit).stream().map(TransferView::of).toList()));
            });
  }
}
