package dev.crossgate.configfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Function;

/**
 * How a file's entries are paired with stored entities (by natural key) and how two file forms
 * differ field by field. Pure functions: the store runs them inside its transaction.
 */
public final class ConfigDiff {
  /** Secret fields: a plan says that they change, never what they are. */
  private static final String SECRET_FIELD = "clientKeyPem";

  private static final JsonNode HIDDEN = TextNode.valueOf("(secret)");

  private ConfigDiff() {}

  /**
   * A stored entity and the file entry that names it; either may be null (create, delete).
   *
   * @param index the entry's position in its file section, -1 for a stored entity the file does not
   *     name
   */
  public record Pair<T>(T current, T desired, int index) {}

  /**
   * Pairs {@code desired} (file order) with {@code current} by {@code key}. When one key names
   * several entities on either side (routes splitting one source by method), they are paired by
   * {@code variant} as well; what remains unpaired is created or deleted.
   *
   * @return the pairs in file order, then the stored entities the file does not name
   */
  public static <T> List<Pair<T>> pair(
      List<T> current, List<T> desired, Function<T, String> key, Function<T, String> variant) {
    var stored = new LinkedHashMap<String, List<T>>();
    current.forEach(c -> stored.computeIfAbsent(key.apply(c), k -> new ArrayList<>()).add(c));
    var wanted = new LinkedHashMap<String, Integer>();
    desired.forEach(d -> wanted.merge(key.apply(d), 1, Integer::sum));
    var out = new ArrayList<Pair<T>>();
    for (int i = 0; i < desired.size(); i++) {
      var d = desired.get(i);
      var k = key.apply(d);
      var candidates = stored.getOrDefault(k, new ArrayList<>());
      T match = null;
      if (candidates.size() == 1 && wanted.get(k) == 1) {
        match = candidates.get(0);
      } else {
        for (var c : candidates) {
          if (variant.apply(c).equals(variant.apply(d))) {
            match = c;
            break;
          }
        }
      }
      candidates.remove(match);
      out.add(new Pair<>(match, d, i));
    }
    stored.values().forEach(left -> left.forEach(c -> out.add(new Pair<>(c, null, -1))));
    return out;
  }

  /** The fields in which {@code before} and {@code after} differ, secrets hidden. */
  public static List<ConfigPlan.FieldChange> fields(ObjectNode before, ObjectNode after) {
    var out = new ArrayList<ConfigPlan.FieldChange>();
    fields("", before, after, out);
    return out;
  }

  private static void fields(
      String prefix, ObjectNode before, ObjectNode after, List<ConfigPlan.FieldChange> out) {
    var names = new LinkedHashSet<String>();
    before.fieldNames().forEachRemaining(names::add);
    after.fieldNames().forEachRemaining(names::add);
    for (var name : names) {
      var b = before.get(name);
      var a = after.get(name);
      if (b != null && b.equals(a)) {
        continue;
      }
      var path = prefix + name;
      if (b instanceof ObjectNode bo && a instanceof ObjectNode ao) {
        fields(path + ".", bo, ao, out);
      } else if (name.equals(SECRET_FIELD)) {
        out.add(
            new ConfigPlan.FieldChange(path, b == null ? null : HIDDEN, a == null ? null : HIDDEN));
      } else {
        out.add(new ConfigPlan.FieldChange(path, b, a));
      }
    }
  }
}
