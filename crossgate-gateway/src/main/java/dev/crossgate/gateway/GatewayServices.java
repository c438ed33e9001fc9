package dev.crossgate.gateway;

import dev.crossgate.gateway.task.TaskOptions;
import dev.crossgate.store.Database;

/**
 * What a gateway node needs beyond its options and configuration: the database its async tasks
 * live in (shared by all nodes, so any node answers a poll) and how tasks are kept. {@link #NONE}
 * runs a node without tasks: async interfaces are then answered 501.
 *
 * @param database the task store's database (the node does not close it), or null
 * @param tasks task options (TTL, limits, blob directory), or null when {@code database} is
 */
public record GatewayServices(Database database, TaskOptions tasks) {
  public static final GatewayServices NONE = new GatewayServices(null, null);

  public GatewayServices {
    if ((database == null) != (tasks == null)) {
      throw new IllegalArgumentException("tasks need both a database and task options");
    }
  }
}
