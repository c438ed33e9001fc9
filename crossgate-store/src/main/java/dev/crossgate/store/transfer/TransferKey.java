package dev.crossgate.store.transfer;

/** Names one transfer: the owning tenant and the id it chose. */
public record TransferKey(String owner, String id) {}
