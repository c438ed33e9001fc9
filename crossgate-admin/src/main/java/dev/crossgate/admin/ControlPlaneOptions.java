package dev.crossgate.admin;

import dev.crossgate.admin.cluster.ClusterOptions;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the control plane (Admin API, console, configuration store).
 *
 * @param jdbcUrl null for the embedded H2 file database under {@code dataDir}
 * @param redisUri null for no shared cache
 * @param adminToken the bootstrap admin token; null to keep the stored one or generate one
 * @param cluster the cluster stream's settings (its token null: no stream)
 */
public record ControlPlaneOptions(
    Path dataDir,
    AdminOptions admin,
    String jdbcUrl,
    String dbUser,
    String dbPassword,
    String redisUri,
    String redisKeyPrefix,
    Duration redisTtl,
    Duration redisRefresh,
    String adminToken,
    ClusterOptions cluster) {

  public static ControlPlaneOptions embedded(Path dataDir, String bind, int port) {
    return new ControlPlaneOptions(dataDir, AdminOptions.of(bind, port), null, null, null, null, "crossgate:",
        Duration.ofHours(1), Duration.ofMinutes(5), null, ClusterOptions.defaults(null));
  }

  public ControlPlaneOptions withDatabase(String url, String user, String password) {
    return new ControlPlaneOptions(dataDir, admin, url, user, password, redisUri, redisKeyPrefix, redisTtl,
        redisRefresh, adminToken, cluster);
  }

  public ControlPlaneOptions withRedis(String uri, String keyPrefix, Duration ttl, Duration refresh) {
    return new ControlPlaneOptions(dataDir, admin, jdbcUrl, dbUser, dbPassword, uri, keyPrefix, ttl, refresh,
        adminToken, cluster);
  }

  public ControlPlaneOptions withAdminToken(String token) {
    return new ControlPlaneOptions(dataDir, admin, jdbcUrl, dbUser, dbPassword, redisUri, redisKeyPrefix, redisTtl,
        redisRefresh, token, cluster);
  }

  public ControlPlaneOptions withCluster(ClusterOptions clusterOptions) {
    return new ControlPlaneOptions(dataDir, admin, jdbcUrl, dbUser, dbPassword, redisUri, redisKeyPrefix, redisTtl,
        redisRefresh, adminToken, clusterOptions);
  }
}
