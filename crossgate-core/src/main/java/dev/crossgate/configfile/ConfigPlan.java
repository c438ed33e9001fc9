package dev.crossgate.configfile;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What applying a configuration file does (or did): every entity it creates, updates (field by
 * field, before and after) or deletes, in the order they are written.
 *
 * @param baseRevision the change-log revision the plan was computed against; {@code If-Match:
 *     "rev-N"} with it makes a later apply refuse when anything changed since
 * @param revision the revision after applying: {@code baseRevision} plus one per change, or {@code
 *     baseRevision} when nothing changed or for a dry run
 * @param applied false for a dry run
 */
public record ConfigPlan(
    long baseRevision, long revision, boolean applied, List<PlannedChange> changes) {

  public ConfigPlan {
    changes = List.copyOf(changes);
  }

  public enum Action {
    CREATE("+"),
    UPDATE("~"),
    DELETE("-");

    private final String sign;

    Action(String sign) {
      this.sign = sign;
    }

    public String sign() {
      return sign;
    }
  }

  /**
   * One entity's change.
   *
   * @param section e.g. {@code routes}
   * @param key the entity's natural key, e.g. {@code shop api.example.com/orders v1}
   * @param at where the entity is in the file ({@code routes[3]}); null for a delete
   * @param fields for an update, the fields that differ
   */
  public record PlannedChange(
      Action action, String section, String key, String at, List<FieldChange> fields) {
    public PlannedChange {
      fields = fields == null ? List.of() : List.copyOf(fields);
    }
  }

  /** A field that differs: {@code field} is a path such as {@code timeouts.responseMs}. */
  public record FieldChange(String field, JsonNode before, JsonNode after) {}

  public boolean empty() {
    return changes.isEmpty();
  }

  /** The plan as lines an operator reads: {@code + routes shop /orders v1}, then its fields. */
  public List<String> describe() {
    var out = new ArrayList<String>();
    for (var change : changes) {
      out.add(change.action().sign() + " " + change.section() + " " + change.key());
      for (var field : change.fields()) {
        out.add(
            "    " + field.field() + ": " + text(field.before()) + " -> " + text(field.after()));
      }
    }
    return out;
  }

  private static String text(JsonNode value) {
    return value == null || value.isMissingNode() ? "(none)" : value.toString();
  }
}
