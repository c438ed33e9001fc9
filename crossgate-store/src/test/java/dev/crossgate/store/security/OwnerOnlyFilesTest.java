package dev.crossgate.store.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.store.OwnerOnlyFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Other local users reading a data dir (its database, tokens, snapshots, callers' chunks): what
 * Crossgate creates is owner-only whatever the umask, and what was left wider is tightened.
 */
class OwnerOnlyFilesTest {
  @TempDir Path dir;

  @Test
  void aDataDirLeftWorldReadableIsTightenedToDirectories700AndFiles600() throws Exception {
    var nested = Files.createDirectories(dir.resolve("data/transfers/abc"));
    var chunk = Files.writeString(nested.resolve("1.chunk"), "bytes");
    var db = Files.writeString(dir.resolve("data/crossgate.mv.db"), "db");
    for (var d : new Path[] {dir.resolve("data"), dir.resolve("data/transfers"), nested}) {
      Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Files.setPosixFilePermissions(chunk, PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-rw-rw-"));

    int changed = OwnerOnlyFiles.restrict(dir.resolve("data"));

    assertThat(changed).isEqualTo(5);
    assertThat(mode(dir.resolve("data"))).isEqualTo("rwx------");
    assertThat(mode(nested)).isEqualTo("rwx------");
    assertThat(mode(chunk)).isEqualTo("rw-------");
    assertThat(mode(db)).isEqualTo("rw-------");
    assertThat(OwnerOnlyFiles.restrict(dir.resolve("data"))).isZero();
  }

  @Test
  void aSymbolicLinkInTheDataDirIsNotFollowed() throws Exception {
    var elsewhere = Files.writeString(dir.resolve("shared.txt"), "not ours");
    Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rw-r--r--"));
    var data = Files.createDirectories(dir.resolve("data"));
    Files.createSymbolicLink(data.resolve("link"), elsewhere);

    OwnerOnlyFiles.restrict(data);

    assertThat(mode(elsewhere)).isEqualTo("rw-r--r--");
  }

  @Test
  void filesAndDirectoriesItCreatesAreOwnerOnlyAndAnExistingWideFileIsNarrowed() throws Exception {
    var created = OwnerOnlyFiles.createDirectories(dir.resolve("a/b"));
    var fresh = created.resolve("token");
    var existing = Files.writeString(created.resolve("old"), "x");
    Files.setPosixFilePermissions(existing, PosixFilePermissions.fromString("rw-r--r--"));

    OwnerOnlyFiles.write(fresh, "secret".getBytes(StandardCharsets.UTF_8));
    OwnerOnlyFiles.write(existing, "secret".getBytes(StandardCharsets.UTF_8));

    assertThat(mode(dir.resolve("a"))).isEqualTo("rwx------");
    assertThat(mode(created)).isEqualTo("rwx------");
    assertThat(mode(fresh)).isEqualTo("rw-------");
    assertThat(mode(existing)).isEqualTo("rw-------");
    assertThat(Files.readString(existing)).isEqualTo("secret");
    assertThat(OwnerOnlyFiles.readableByOthers(fresh)).isFalse();
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS));
  }
}
