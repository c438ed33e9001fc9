package dev.crossgate.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.crossgate.change.Change;
import dev.crossgate.extension.Extension;
import dev.crossgate.extension.ExtensionRegistry;
import dev.crossgate.filter.FilterRule;
import dev.crossgate.json.Json;
import dev.crossgate.ratelimit.RateLimit;
import dev.crossgate.route.Route;
import dev.crossgate.tenant.ApiKey;
import dev.crossgate.tenant.Tenant;
import dev.crossgate.tenant.TenantCertificate;
import dev.crossgate.tenant.TokenIssuer;
import dev.crossgate.upstream.Upstream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;

/**
 * Applies a batch of change-log entries to a {@link GatewayConfig}, producing the next snapshot;
 * the input snapshot is never modified. The same code serves the standalone node (which follows the
 * change log directly) and cluster nodes (which receive deltas). A batch is applied whole or not at
 * all: a change that cannot be read fails the batch with {@link IllegalArgumentException} naming
 * the entity, which a node reports as its NACK. The {@link ConfigHash} is updated per change rather
 * than recomputed, so applying a delta costs what the delta touches (plus the route table rebuild).
 */
public final class ConfigApplier {
  private ConfigApplier() {}

  public static GatewayConfig apply(GatewayConfig current, List<Change> changes) {
    return apply(current, changes, (revision, hash) -> {});
  }

  /** Receives the configuration hash after each applied revision, e.g. to check nodes against. */
  @FunctionalInterface
  public interface RevisionHashes {
    void record(long revision, long hash);
  }

  /**
   * As {@link #apply(GatewayConfig, List)}, reporting the hash after every revision to {@code
   * hashes}.
   */
  public static GatewayConfig apply(
      GatewayConfig current, List<Change> changes, RevisionHashes hashes) {
    if (changes.isEmpty()) {
      return current;
    }
    var upserts = new HashMap<String, Route>();
    var deletes = new HashSet<String>();
    var filters = new HashMap<String, FilterRule>();
    current.filters().forEach(f -> filters.put(f.id(), f));
    var keys = new HashMap<String, ApiKey>(current.apiKeys());
    HashMap<String, Extension> extensions = null; // copied on the first extension change only
    var disabled = new HashSet<String>(current.disabledTenants());
    var tenantLimits = new HashMap<String, List<RateLimit>>(current.tenantRateLimits());
    var certificates = new HashMap<String, TenantCertificate>(current.clientCertificates());
    var upstreams = new HashMap<String, Upstream>(current.upstreams());
    var issuers = new HashMap<String, TokenIssuer>(current.issuers());
    long revision = current.revision();
    long hash = current.hash();
    for (var change : changes) {
      if (change.revision() <= revision) {
        continue; // already applied: replays are harmless
      }
      revision = change.revision();
      if (!change.entityType().reachesNodes()) {
        // an audit entry (admin tokens): the revision advances, nothing a node serves changes
        hashes.record(revision, hash);
        continue;
      }
      switch (change.entityType()) {
        case ROUTE -> {
          var before =
              upserts.containsKey(change.entityId())
                  ? upserts.get(change.entityId())
                  : deletes.contains(change.entityId())
                      ? null
                      : current.routes().get(change.entityId());
          if (before != null) {
            hash -= ConfigHash.route(before);
          }
          if (change.op() == Change.Op.DELETE) {
            upserts.remove(change.entityId());
            deletes.add(change.entityId());
          } else {
            var route = read(change, Route.class);
            deletes.remove(route.id());
            upserts.put(route.id(), route);
            hash += ConfigHash.route(route);
          }
        }
        case FILTER -> {
          var before = filters.remove(change.entityId());
          if (before != null) {
            hash -= ConfigHash.filter(before);
          }
          if (change.op() != Change.Op.DELETE) {
            var rule = read(change, FilterRule.class);
            if (rule.enabled()) {
              filters.put(rule.id(), rule);
              hash += ConfigHash.filter(rule);
            }
          }
        }
        case API_KEY -> {
          var before =
              keys.values().stream().filter(k -> k.id().equals(change.entityId())).findFirst();
          if (before.isPresent()) {
            keys.remove(before.get().keyHash());
            hash -= ConfigHash.key(before.get());
          }
          if (change.op() != Change.Op.DELETE) {
            var key = read(change, ApiKey.class);
            keys.put(key.keyHash(), key);
            hash += ConfigHash.key(key);
          }
        }
        case CLIENT_CERT -> {
          var before =
              certificates.values().stream()
                  .filter(c -> c.id().equals(change.entityId()))
                  .findFirst();
          if (before.isPresent()) {
            certificates.remove(before.get().matchKey());
            hash -= ConfigHash.clientCertificate(before.get());
          }
          if (change.op() != Change.Op.DELETE) {
            var certificate = read(change, TenantCertificate.class);
            certificates.put(certificate.matchKey(), certificate);
            hash += ConfigHash.clientCertificate(certificate);
          }
        }
        case EXTENSION -> {
          if (extensions == null) {
            extensions = new HashMap<>();
            for (var e : current.extensions().all()) {
              extensions.put(e.key(), e);
            }
          }
          var before = extensions.remove(change.entityId());
          if (before != null) {
            hash -= ConfigHash.extension(before);
          }
          if (change.op() != Change.Op.DELETE) {
            var extension = read(change, Extension.class);
            extensions.put(extension.key(), extension);
            hash += ConfigHash.extension(extension);
          }
        }
        case UPSTREAM -> {
          var before = upstreams.remove(change.entityId());
          if (before != null) {
            hash -= ConfigHash.upstream(before);
          }
          if (change.op() != Change.Op.DELETE) {
            var upstream = read(change, Upstream.class);
            upstreams.put(upstream.id(), upstream);
            hash += ConfigHash.upstream(upstream);
          }
        }
        case ISSUER -> {
          var before =
              issuers.values().stream().filter(i -> i.id().equals(change.entityId())).findFirst();
          if (before.isPresent()) {
            issuers.remove(before.get().issuer());
            hash -= ConfigHash.issuer(before.get());
          }
          if (change.op() != Change.Op.DELETE) {
            var issuer = read(change, TokenIssuer.class);
            issuers.put(issuer.issuer(), issuer);
            hash += ConfigHash.issuer(issuer);
          }
        }
        case TENANT -> {
          // a node serves tenants through their keys; what it must know is which are switched off
          boolean wasDisabled = disabled.remove(change.entityId());
          if (wasDisabled) {
            hash -= ConfigHash.disabledTenant(change.entityId());
          }
          var limitsBefore = tenantLimits.remove(change.entityId());
          if (limitsBefore != null) {
            hash -= ConfigHash.tenantRateLimits(change.entityId(), limitsBefore);
          }
          if (change.op() != Change.Op.DELETE) {
            var tenant = read(change, Tenant.class);
            if (!tenant.enabled()) {
              disabled.add(change.entityId());
              hash += ConfigHash.disabledTenant(change.entityId());
            }
            if (tenant.rateLimits() != null) {
              tenantLimits.put(change.entityId(), tenant.rateLimits());
              hash += ConfigHash.tenantRateLimits(change.entityId(), tenant.rateLimits());
            }
          }
        }
      }
      hashes.record(revision, hash);
    }
    var registry =
        extensions == null ? current.extensions() : new ExtensionRegistry(extensions.values());
    if (hash == current.hash()) {
      // nothing a node serves changed (tenant edits, a write and its undo): skip the rebuild
      return new GatewayConfig(
          revision,
          current.routes().withRevision(revision),
          new ArrayList<>(filters.values()),
          keys,
          hash,
          registry,
          disabled,
          certificates,
          upstreams,
          issuers,
          tenantLimits);
    }
    var routes = current.routes().apply(upserts.values(), deletes, revision);
    return new GatewayConfig(
        revision,
        routes,
        new ArrayList<>(filters.values()),
        keys,
        hash,
        registry,
        disabled,
        certificates,
        upstreams,
        issuers,
        tenantLimits);
  }

  private static <T> T read(Change change, Class<T> type) {
    try {
      return Json.mapper().treeToValue(change.after(), type);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          change.entityType()
              + " "
              + change.entityId()
              + " at revision "
              + change.revision()
              + " cannot be read: "
              + e.getMessage().lines().findFirst().orElse(""),
          e);
    }
  }
}
