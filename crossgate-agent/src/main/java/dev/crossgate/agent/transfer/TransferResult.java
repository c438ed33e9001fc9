package dev.crossgate.agent.transfer;

/**
 * What a finished send did.
 *
 * @param chunksSent chunk PUTs this run made, resends included
 * @param chunksResent PUTs beyond the first of a chunk in this run (rejected or failed attempts)
 * @param chunksSkipped chunks the server already held when this run started
 * @param delivery the server's delivery summary, or null
 */
public record TransferResult(
    String taskId,
    long totalSize,
    long chunksSent,
    long chunksResent,
    long chunksSkipped,
    String fileDigest,
    String delivery) {}
