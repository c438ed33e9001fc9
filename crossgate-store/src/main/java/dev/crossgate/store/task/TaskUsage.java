package dev.crossgate.store.task;

/**
 * What one tenant holds in the task table (unexpired rows only).
 *
 * @param pendingTasks tasks not finished yet (PENDING or RUNNING)
 * @param pendingBytes request bodies of those tasks
 * @param resultBytes results stored and not yet collected (DELETE) or expired
 */
public record TaskUsage(long pendingTasks, long pendingBytes, long resultBytes) {}
