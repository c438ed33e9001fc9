package dev.crossgate.admin;

import dev.crossgate.admin.cluster.ClusterOptions;
import dev.crossgate.admin.traffic.TrafficOptions;
import dev.crossgate.egress.EgressPolicy;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the control plane (Admin API, console, configuration store).
 *
 * @param jdbcUrl null for the embedded H2 file database under {@code dataDir}
 * @param redisUri null for no shared cache
 * @param adminToken the bootstrap admin token; null to keep the stored one or generate one
 * @param cluster the cluster stream's settings (its token null: no stream)
 * @param egress where extension endpoints and artifact URLs may point (checked at registration);
 *     null is {@link EgressPolicy#DEFAULT}
 * @param configFile the configuration file this control plane serves (database-less: applied at
 *     start and whenever it changes, the Admin API read-only); null for none
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
    ClusterOptions cluster,
    EgressPolicy egress,
    Path configFile,
    TrafficOptions traffic) {

  public ControlPlaneOptions {
    egress = egress == null ? EgressPolicy.DEFAULT : egress;
    traffic = traffic == null ? TrafficOptions.DEFAULTS : traffic;
  }

  /** Settings of a control plane whose configuration lives in its database. */
  public ControlPlaneOptions(
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
      ClusterOptions cluster,
      EgressPolicy egress) {
    this(
        dataDir,
        admin,
        jdbcUrl,
        dbUser,
        dbPassword,
        redisUri,
        redisKeyPrefix,
        redisTtl,
        redisRefresh,
        adminToken,
        cluster,
        egress,
        null,
        null);
  }

  public static ControlPlaneOptions embedded(Path dataDir, String bind, int port) {
    return new ControlPlaneOptions(
        dataDir,
        AdminOptions.of(bind, port),
        null,
        null,
        null,
        null,
        "crossgate:",
        Duration.ofHours(1),
        Duration.ofMinutes(5),
        null,
        ClusterOptions.defaults(null),
        EgressPolicy.DEFAULT);
  }

  public ControlPlaneOptions withDatabase(String url, String user, String password) {
    return new ControlPlaneOptions(
        dataDir,
        admin,
        url,
        user,
        password,
        redisUri,
        redisKeyPrefix,
        redisTtl,
        redisRefresh,
        adminToken,
        cluster,
        egress,
        configFile,
        traffic);
  }

  public ControlPlaneOptions withRedis(
      String uri, String keyPrefix, Duration ttl, Duration refresh) {
    return new ControlPlaneOptions(
        dataDir,
        admin,
        jdbcUrl,
        dbUser,
        dbPassword,
        uri,
        keyPrefix,
        ttl,
        refresh,
        adminToken,
        cluster,
        egress,
        configFile,
        traffic);
  }

  public ControlPlaneOptions withAdmin(AdminOptions adminOptions) {
    return new ControlPlaneOptions(
        dataDir,
        adminOptions,
        jdbcUrl,
        dbUser,
        dbPassword,
        redisUri,
        redisKeyPrefix,
        redisTtl,
        redisRefresh,
        adminToken,
        cluster,
        egress,
        configFile,
        traffic);
  }

  public ControlPlaneOptions withAdminToken(String token) {
    return new ControlPlaneOptions(
        dataDir,
        admin,
        jdbcUrl,
        dbUser,
        dbPassword,
        redisUri,
        redisKeyPrefix,
        redisTtl,
        redisRefresh,
        token,
        cluster,
        egress,
        configFile,
        traffic);
  }

  public ControlPlaneOptions withCluster(ClusterOptions clusterOptions) {
    return new ControlPlaneOptions(
        dataDir,
        admin,
        jdbcUrl,
        dbUser,
        dbPassword,
        redisUri,
        redisKeyPrefix,
        redisTtl,
        redisRefresh,
        adminToken,
        clusterOptions,
        egress,
        configFile,
        traffic);
  }

  public ControlPlaneOptions withEgress(EgressPolicy policy) {
    return new ControlPlaneOptions(
        dataDir,
        admin,
        jdbcUrl,
        dbUser,
        dbPassword,
        redisUri,
        redisKeyPrefix,
        redisTtl,
        redisRefresh,
        adminToken,
        cluster,
        policy,
        configFile,
        traffic);
  }

  /**
   * These settings serving {@code file} with no database for configuration: an in-memory store
   * rebuilt from the file at every start, the Admin API read-only.
   */
  public ControlPlaneOptions withConfigFile(Path file) {
    return new ControlPlaneOptions(
        dataDir,
        admin,
        "jdbc:h2:mem:crossgate-config-" + java.util.UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
        null,
        null,
        redisUri,
        redisKeyPrefix,
        redisTtl,
        redisRefresh,
        adminToken,
        cluster,
        egress,
        file,
        traffic);
  }

  /** These settings with the traffic view sampling as {@code options} says. */
  public ControlPlaneOptions withTraffic(TrafficOptions options) {
    return new ControlPlaneOptions(
        dataDir,
        admin,
        jdbcUrl,
        dbUser,
        dbPassword,
        redisUri,
        redisKeyPrefix,
        redisTtl,
        redisRefresh,
        adminToken,
        cluster,
        egress,
        configFile,
        options);
  }
}
