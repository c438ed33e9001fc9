package dev.crossgate.filter;

/** A filter rule as an operator submits it; {@link FilterValidator} names every bad field. */
public record FilterSpec(
    String name,
    Integer priority,
    String kind,
    String value,
    String header,
    Integer status,
    String message,
    Boolean enabled,
    String scope,
    String target) {}
