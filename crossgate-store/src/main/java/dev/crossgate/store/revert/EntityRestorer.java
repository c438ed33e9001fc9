package dev.crossgate.store.revert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.crossgate.change.Change;
import dev.crossgate.json.Json;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * How a revert puts one kind of entity back: its repository's table, read and written inside the
 * revert's transaction. Images are the entity as JSON, exactly as the change log holds it, and are
 * written back as they are (revision and timestamps included), so the configuration hash of a
 * reverted configuration is the hash it had. Checks a normal write makes (conflicts, references)
 * are not repeated: a revert brings every entity it touches back to one earlier, consistent state.
 * Each repository makes its own with {@link #of}.
 *
 * @param <T> the entity's record type
 */
public final class EntityRestorer<T> {
  /** Reads the entity with an id, inside the revert's transaction. */
  @FunctionalInterface
  public interface Reader<T> {
    Optional<T> read(Connection c, String id) throws SQLException;
  }

  /** Removes the entity's row. */
  @FunctionalInterface
  public interface Remover {
    void remove(Connection c, String id) throws SQLException;
  }

  /** Writes the entity's row: an update when {@code exists}, an insert otherwise. */
  @FunctionalInterface
  public interface Writer<T> {
    void write(Connection c, T entity, boolean exists) throws SQLException;
  }

  private final Change.EntityType type;
  private final Class<T> entityClass;
  private final Reader<T> reader;
  private final Remover remover;
  private final Writer<T> writer;
  private final BiFunction<JsonNode, JsonNode, String> refusal;
  private final Consumer<T> committed;

  private EntityRestorer(
      Change.EntityType type,
      Class<T> entityClass,
      Reader<T> reader,
      Remover remover,
      Writer<T> writer,
      BiFunction<JsonNode, JsonNode, String> refusal,
      Consumer<T> committed) {
    this.type = type;
    this.entityClass = entityClass;
    this.reader = reader;
    this.remover = remover;
    this.writer = writer;
    this.refusal = refusal;
    this.committed = committed;
  }

  public static <T> EntityRestorer<T> of(
      Change.EntityType type,
      Class<T> entityClass,
      Reader<T> reader,
      Remover remover,
      Writer<T> writer) {
    return new EntityRestorer<>(
        type, entityClass, reader, remover, writer, (current, target) -> null, entity -> {});
  }

  /**
   * This restorer, refusing a step from {@code current} to {@code target} (either null: absent) for
   * the reason {@code refusal} gives (null: allowed).
   */
  public EntityRestorer<T> refusing(BiFunction<JsonNode, JsonNode, String> refusal) {
    return new EntityRestorer<>(type, entityClass, reader, remover, writer, refusal, committed);
  }

  /** This restorer, telling {@code listener} of every entity a committed revert changed. */
  public EntityRestorer<T> notifying(Consumer<T> listener) {
    return new EntityRestorer<>(type, entityClass, reader, remover, writer, refusal, listener);
  }

  public Change.EntityType type() {
    return type;
  }

  /** The entity's current image, or null when it does not exist. */
  JsonNode current(Connection c, String id) throws SQLException {
    return image(reader.read(c, id).orElse(null));
  }

  String refusal(JsonNode current, JsonNode target) {
    return refusal.apply(current, target);
  }

  void remove(Connection c, String id) throws SQLException {
    remover.remove(c, id);
  }

  void write(Connection c, JsonNode target, boolean exists) throws SQLException {
    writer.write(c, entity(target), exists);
  }

  void committed(JsonNode before, JsonNode after) {
    for (var image : new JsonNode[] {before, after}) {
      if (image != null) {
        committed.accept(entity(image));
      }
    }
  }

  /** The image of an entity as the change log holds it: its JSON, read back as a tree. */
  private static JsonNode image(Object entity) {
    if (entity == null) {
      return null;
    }
    try {
      return Json.mapper().readTree(Json.write(entity));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an entity that was just written is not JSON", e);
    }
  }

  private T entity(JsonNode image) {
    try {
      return Json.mapper().treeToValue(image, entityClass);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "a logged " + entityClass.getSimpleName() + " cannot be read", e);
    }
  }
}
