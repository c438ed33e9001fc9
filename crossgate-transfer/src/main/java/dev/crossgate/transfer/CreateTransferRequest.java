package dev.crossgate.transfer;

/**
 * The body of {@code POST /_transfers}: the client's descriptor of the file. Boxed numbers so a
 * missing field is reported as missing, not as zero.
 *
 * @param digest the chunk digest algorithm (RFC 9530 name)
 * @param fileDigest optional whole-file digest as an RFC 9530 value, checked at the end
 *     notification
 * @param target optional: where the assembled file is delivered, an absolute http(s) URL or a
 *     gateway path such as {@code /sync/orders/v1/import} (see {@link TransferTarget})
 */
record CreateTransferRequest(
    String taskId,
    Long chunkSize,
    Long chunkCount,
    Long totalSize,
    String digest,
    String fileDigest,
    String name,
    String target) {}
