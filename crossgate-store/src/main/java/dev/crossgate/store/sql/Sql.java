package dev.crossgate.store.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The one way the store runs SQL: a statement, its parameters in order, and a {@link RowMapper} for
 * the rows (JdbcTemplate's shape, without the framework). Parameters are bound by their Java type,
 * so callers never count positions. Every method blocks on the given connection and leaves
 * transactions to the caller ({@code Database.inTransaction}, {@link #inTransaction}).
 *
 * <p>Timestamps: every time column is {@code TIMESTAMP WITH TIME ZONE}, so an {@link Instant} is
 * bound and read as a UTC {@link OffsetDateTime} (JDBC 4.2, H2 and PostgreSQL alike). A {@code
 * java.sql.Timestamp} would go through the JVM's zone, which is ambiguous for an hour each autumn.
 */
public final class Sql {
  private Sql() {}

  /** A work unit on one connection. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /** Every row of the query, mapped. */
  public static <T> List<T> query(Connection c, String sql, RowMapper<T> mapper, Object... params)
      throws SQLException {
    return queryAtMost(c, 0, sql, mapper, params);
  }

  /**
   * The first {@code maxRows} rows (0: all), mapped; for statements that keep their SQL free of
   * LIMIT.
   */
  public static <T> List<T> queryAtMost(
      Connection c, int maxRows, String sql, RowMapper<T> mapper, Object... params)
      throws SQLException {
    try (var ps = prepare(c, sql, Arrays.asList(params))) {
      ps.setMaxRows(maxRows);
      return rows(ps, mapper);
    }
  }

  /**
   * A statement built from optional parts (list filters), each appended with its own parameters.
   */
  public static Statement statement(String sql) {
    return new Statement(sql);
  }

  /**
   * The first row, mapped; empty when there is none or the mapper gave null (e.g. a NULL
   * aggregate).
   */
  public static <T> Optional<T> queryOne(
      Connection c, String sql, RowMapper<T> mapper, Object... params) throws SQLException {
    try (var ps = prepare(c, sql, Arrays.asList(params));
        var rs = ps.executeQuery()) {
      return rs.next() ? Optional.ofNullable(mapper.map(rs)) : Optional.empty();
    }
  }

  /** Whether the query returns a row. */
  public static boolean exists(Connection c, String sql, Object... params) throws SQLException {
    try (var ps = prepare(c, sql, Arrays.asList(params));
        var rs = ps.executeQuery()) {
      return rs.next();
    }
  }

  /**
   * The first column of the single row of a scalar query ({@code COUNT(*)}, a counter); 0 for NULL.
   */
  public static long queryLong(Connection c, String sql, Object... params) throws SQLException {
    try (var ps = prepare(c, sql, Arrays.asList(params));
        var rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("no row from a scalar query: " + sql);
      }
      return rs.getLong(1);
    }
  }

  /** Runs an INSERT, UPDATE or DELETE; returns the number of rows it changed. */
  public static int update(Connection c, String sql, Object... params) throws SQLException {
    try (var ps = prepare(c, sql, Arrays.asList(params))) {
      return ps.executeUpdate();
    }
  }

  /**
   * Runs one INSERT, UPDATE or DELETE per parameter list as a single JDBC batch: one round trip to
   * PostgreSQL for all of them instead of one each. Returns the rows each one changed, in order.
   */
  public static int[] updateBatch(Connection c, String sql, List<List<Object>> rows)
      throws SQLException {
    if (rows.isEmpty()) {
      return new int[0];
    }
    try (var ps = c.prepareStatement(sql)) {
      return executeBatch(ps, rows);
    }
  }

  /**
   * What a batch changed: the rows each statement changed, in order, and the returned columns of
   * every changed row.
   */
  public record BatchChanges<T>(int[] changed, List<T> returned) {}

  /**
   * As {@link #updateBatch}, also returning {@code columns} of every row the statements changed
   * (JDBC generated keys: {@code RETURNING} on PostgreSQL, the changed rows on H2), so what the
   * caller needs of those rows costs no second query. Rows come back in statement order.
   */
  public static <T> BatchChanges<T> updateBatchReturning(
      Connection c, String sql, List<List<Object>> rows, List<String> columns, RowMapper<T> mapper)
      throws SQLException {
    if (rows.isEmpty()) {
      return new BatchChanges<>(new int[0], List.of());
    }
    try (var ps = c.prepareStatement(sql, columns.toArray(String[]::new))) {
      var changed = executeBatch(ps, rows);
      var returned = new ArrayList<T>();
      try (var rs = ps.getGeneratedKeys()) {
        while (rs.next()) {
          returned.add(mapper.map(rs));
        }
      }
      return new BatchChanges<>(changed, returned);
    }
  }

  private static int[] executeBatch(PreparedStatement ps, List<List<Object>> rows)
      throws SQLException {
    for (var params : rows) {
      for (int i = 0; i < params.size(); i++) {
        bind(ps, i + 1, params.get(i));
      }
      ps.addBatch();
    }
    return ps.executeBatch();
  }

  /**
   * Runs {@code work} in one transaction on {@code c}: committed when it returns, rolled back when
   * it throws; the connection is back in auto-commit mode afterwards.
   */
  public static <T> T inTransaction(Connection c, Work<T> work) throws SQLException {
    c.setAutoCommit(false);
    try {
      var result = work.run(c);
      c.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /** SQLState 23505, a unique violation, on both H2 and PostgreSQL. */
  public static boolean isDuplicateKey(SQLException e) {
    return "23505".equals(e.getSQLState());
  }

  /** A nullable time column. */
  public static Instant instant(ResultSet row, String column) throws SQLException {
    var value = row.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  /** A nullable INT column ({@code getInt} would turn NULL into 0). */
  public static Integer integer(ResultSet row, String column) throws SQLException {
    int value = row.getInt(column);
    return row.wasNull() ? null : value;
  }

  /** A nullable BIGINT column ({@code getLong} would turn NULL into 0). */
  public static Long nullableLong(ResultSet row, String column) throws SQLException {
    long value = row.getLong(column);
    return row.wasNull() ? null : value;
  }

  /** A statement under construction; not thread-safe, built and run by one method. */
  public static final class Statement {
    private final StringBuilder sql;
    private final List<Object> params = new ArrayList<>();

    private Statement(String sql) {
      this.sql = new StringBuilder(sql);
    }

    /**
     * Appends {@code " AND column = ?"}, unless {@code value} is null: a null filter matches
     * everything.
     */
    public Statement andEqual(String column, Object value) {
      return value == null ? this : append(" AND " + column + " = ?", value);
    }

    /** Appends SQL text with the parameters of its placeholders. */
    public Statement append(String text, Object... values) {
      sql.append(text);
      params.addAll(Arrays.asList(values));
      return this;
    }

    public <T> List<T> query(Connection c, RowMapper<T> mapper) throws SQLException {
      try (var ps = prepare(c, sql.toString(), params)) {
        return rows(ps, mapper);
      }
    }
  }

  private static PreparedStatement prepare(Connection c, String sql, List<?> params)
      throws SQLException {
    var ps = c.prepareStatement(sql);
    try {
      for (int i = 0; i < params.size(); i++) {
        bind(ps, i + 1, params.get(i));
      }
      return ps;
    } catch (SQLException | RuntimeException e) {
      ps.close();
      throw e;
    }
  }

  private static void bind(PreparedStatement ps, int index, Object value) throws SQLException {
    if (value == null) {
      // untyped: the database takes the type from the column the parameter is compared with or
      // stored in
      ps.setNull(index, Types.NULL);
    } else if (value instanceof String s) {
      ps.setString(index, s);
    } else if (value instanceof Long l) {
      ps.setLong(index, l);
    } else if (value instanceof Integer i) {
      ps.setInt(index, i);
    } else if (value instanceof Boolean b) {
      ps.setBoolean(index, b);
    } else if (value instanceof Instant t) {
      ps.setObject(index, t.atOffset(ZoneOffset.UTC));
    } else if (value instanceof byte[] bytes) {
      ps.setBytes(index, bytes);
    } else if (value instanceof java.nio.ByteBuffer buffer) {
      // streamed to the driver from the buffer (heap or direct) without a heap copy first
      ps.setBinaryStream(index, new ByteBufferInputStream(buffer.duplicate()), buffer.remaining());
    } else if (value instanceof Enum<?> e) {
      ps.setString(index, e.name());
    } else if (value instanceof UUID u) {
      ps.setString(index, u.toString());
    } else {
      throw new IllegalArgumentException(
          "no binding for a parameter of type " + value.getClass().getName());
    }
  }

  private static <T> List<T> rows(PreparedStatement ps, RowMapper<T> mapper) throws SQLException {
    try (var rs = ps.executeQuery()) {
      var out = new ArrayList<T>();
      while (rs.next()) {
        out.add(mapper.map(rs));
      }
      return out;
    }
  }

  /** The remaining bytes of a buffer as a stream, so the driver copies them once. */
  private static final class ByteBufferInputStream extends java.io.InputStream {
    private final java.nio.ByteBuffer bytes;

    ByteBufferInputStream(java.nio.ByteBuffer bytes) {
      this.bytes = bytes;
    }

    @Override
    public int read() {
      return bytes.hasRemaining() ? bytes.get() & 0xff : -1;
    }

    @Override
    public int read(byte[] into, int offset, int length) {
      if (length == 0) {
        return 0;
      }
      if (!bytes.hasRemaining()) {
        return -1;
      }
      int n = Math.min(length, bytes.remaining());
      bytes.get(into, offset, n);
      return n;
    }

    @Override
    public int available() {
      return bytes.remaining();
    }
  }
}
