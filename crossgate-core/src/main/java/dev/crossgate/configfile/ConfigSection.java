package dev.crossgate.configfile;

/**
 * The sections of a configuration file, in the order they are written and applied (an entity is
 * created after what it refers to: extensions after their tenants, routes after the extensions
 * their flows name and the upstream pools they send to). A new kind of entity joins here, with its
 * spec list in {@link ConfigFile}, its file form in {@link ConfigForms} and its writes in the
 * store's ConfigStore.
 */
public enum ConfigSection {
  TENANTS("tenants"),
  EXTENSIONS("extensions"),
  FILTERS("filters"),
  UPSTREAMS("upstreams"),
  ROUTES("routes");

  private final String field;

  ConfigSection(String field) {
    this.field = field;
  }

  /** The section's name in the file, e.g. {@code routes}. */
  public String field() {
    return field;
  }

  /** The path of entry {@code index} in the file, e.g. {@code routes[3]}. */
  public String at(int index) {
    return field + "[" + index + "]";
  }
}
