package dev.crossgate.store.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.store.TestDatabases;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.stream.LongStream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A transfer's chunk progress kept on its row (count, one past the highest, lowest missing) is what
 * counting the stored chunk rows from scratch gives, after every chunk, whatever order the chunks
 * arrive in; and the migration that added it fills it in for transfers already under way.
 */
class TransferProgressTest {
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);
  private static final int CHUNKS = 300;

  private record Progress(long received, long next, long lowestMissing) {}

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void theCountersMatchTheStoredChunksAfterEveryChunkInAnyOrder(String kind) {
    try (var db = TestDatabases.open(kind)) {
      var repo = new TransferRepository(db.database().dataSource());
      var orders = new ArrayList<List<Long>>();
      orders.add(LongStream.range(0, CHUNKS).boxed().toList());
      orders.add(LongStream.range(0, CHUNKS).map(n -> CHUNKS - 1 - n).boxed().toList());
      // everything but the first, then the first: one long move of the mark at the end
      var firstLast = new ArrayList<>(LongStream.range(1, CHUNKS).boxed().toList());
      firstLast.add(0L);
      orders.add(firstLast);
      for (long seed = 1; seed <= 3; seed++) {
        var shuffled = new ArrayList<>(LongStream.range(0, CHUNKS).boxed().toList());
        Collections.shuffle(shuffled, new Random(seed));
        orders.add(shuffled);
      }
      for (int o = 0; o < orders.size(); o++) {
        var id = "t" + o;
        repo.insert(transfer(id));
        for (long n : orders.get(o)) {
          assertThat(repo.addChunk("acme", id, chunk(n), null, NOW, NOW.plusSeconds(3600)))
              .isEqualTo(TransferRepository.ChunkWrite.STORED);
          assertThat(counted(repo, id))
              .as("order %d after chunk %d", o, n)
              .isEqualTo(fromRows(repo, id));
        }
        assertThat(counted(repo, id)).isEqualTo(new Progress(CHUNKS, CHUNKS, CHUNKS));
      }

      // a chunk sent again changes nothing
      repo.insert(transfer("again"));
      repo.addChunk("acme", "again", chunk(0), null, NOW, NOW.plusSeconds(3600));
      assertThat(repo.addChunk("acme", "again", chunk(0), null, NOW, NOW.plusSeconds(3600)))
          .isEqualTo(TransferRepository.ChunkWrite.DUPLICATE);
      assertThat(counted(repo, "again")).isEqualTo(new Progress(1, 1, 1));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void theMigrationFillsInTheProgressOfTransfersUnderWay(String kind) throws SQLException {
    try (var empty = EmptyDatabase.create(kind)) {
      // the schema before the counters, with three transfers' chunks already stored
      flyway(empty).target("62").load().migrate();
      try (var c = empty.connect()) {
        insertRaw(c, "none", List.of());
        insertRaw(c, "gaps", List.of(0L, 1L, 2L, 5L, 6L, 9L));
        insertRaw(c, "no-first", List.of(1L, 2L, 3L));
      }
      flyway(empty).load().migrate();

      try (var c = empty.connect();
          var rows =
              c.createStatement()
                  .executeQuery(
                      "SELECT id, received_chunks, next_chunk, lowest_missing FROM transfers"
                          + " ORDER BY id")) {
        var found = new ArrayList<String>();
        while (rows.next()) {
          found.add(
              rows.getString(1)
                  + " "
                  + new Progress(rows.getLong(2), rows.getLong(3), rows.getLong(4)));
        }
        assertThat(found)
            .containsExactly(
                "gaps " + new Progress(6, 10, 3),
                "no-first " + new Progress(3, 4, 0),
                "none " + new Progress(0, 0, 0));
      }
    }
  }

  private static Progress counted(TransferRepository repo, String id) {
    var t = repo.find("acme", id).orElseThrow();
    return new Progress(t.receivedChunks(), t.nextChunk(), t.lowestMissing());
  }

  /** The same three figures, computed from the stored chunk rows. */
  private static Progress fromRows(TransferRepository repo, String id) {
    var numbers = repo.chunks("acme", id).stream().map(ChunkRecord::number).toList();
    long lowest = 0;
    while (numbers.contains(lowest)) {
      lowest++;
    }
    long next = numbers.stream().mapToLong(Long::longValue).max().orElse(-1) + 1;
    return new Progress(numbers.size(), next, lowest);
  }

  private static ChunkRecord chunk(long n) {
    return new ChunkRecord(n, n * 4096, 4096, "sha-256=:" + n + ":");
  }

  private static TransferRecord transfer(String id) {
    return new TransferRecord(
        "acme",
        id,
        "native",
        4096,
        CHUNKS,
        4096L * CHUNKS,
        "sha-256",
        null,
        null,
        null,
        null,
        TransferStatus.OPEN,
        null,
        null,
        0,
        0,
        0,
        0,
        NOW,
        NOW,
        NOW.plusSeconds(3600));
  }

  private static void insertRaw(Connection c, String id, List<Long> chunks) throws SQLException {
    try (var t =
        c.prepareStatement(
            "INSERT INTO transfers (owner, id, protocol, chunk_size, chunk_count, total_size,"
                + " chunk_digest, status, received_bytes, created_at, updated_at, expires_at)"
                + " VALUES ('acme', ?, 'native', 4096, 10, 40960, 'sha-256', 'OPEN', ?,"
                + " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")) {
      t.setString(1, id);
      t.setLong(2, 4096L * chunks.size());
      t.executeUpdate();
    }
    for (long n : chunks) {
      try (var ch =
          c.prepareStatement(
              "INSERT INTO transfer_chunks (owner, transfer_id, chunk_number, chunk_offset, size,"
                  + " digest, received_at) VALUES ('acme', ?, ?, ?, 4096, 'd', CURRENT_TIMESTAMP)")) {
        ch.setString(1, id);
        ch.setLong(2, n);
        ch.setLong(3, n * 4096);
        ch.executeUpdate();
      }
    }
  }

  private static org.flywaydb.core.api.configuration.FluentConfiguration flyway(EmptyDatabase db) {
    return Flyway.configure()
        .dataSource(db.url(), db.user(), db.password())
        .locations("classpath:db/migration");
  }

  /** A database with no schema yet: a private H2, or a fresh PostgreSQL database, dropped after. */
  private record EmptyDatabase(String url, String user, String password, Runnable dropper)
      implements AutoCloseable {
    static EmptyDatabase create(String kind) throws SQLException {
      var name = "cg_progress_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
      if (kind.equals("h2")) {
        var url = "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1";
        return new EmptyDatabase(url, "sa", "", () -> execute(url, "sa", "", "SHUTDOWN"));
      }
      var admin = "jdbc:postgresql://" + TestDatabases.pgHostPort() + "/postgres";
      var lower = name.toLowerCase(Locale.ROOT);
      execute(admin, "postgres", null, "CREATE DATABASE " + lower);
      return new EmptyDatabase(
          "jdbc:postgresql://" + TestDatabases.pgHostPort() + "/" + lower,
          "postgres",
          null,
          () ->
              execute(
                  admin, "postgres", null, "DROP DATABASE IF EXISTS " + lower + " WITH (FORCE)"));
    }

    Connection connect() throws SQLException {
      return DriverManager.getConnection(url, user, password);
    }

    @Override
    public void close() {
      dropper.run();
    }

    private static void execute(String url, String user, String password, String sql) {
      try (var c = DriverManager.getConnection(url, user, password);
          var s = c.createStatement()) {
        s.execute(sql);
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
