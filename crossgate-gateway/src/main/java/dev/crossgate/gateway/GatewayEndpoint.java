package dev.crossgate.gateway;

/** A built-in endpoint family mounted before routing, e.g. /_tasks, /_transfers, /_tus. */
public interface GatewayEndpoint { void mount(io.vertx.ext.web.Router router); }
