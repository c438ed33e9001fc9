package dev.crossgate.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossgate.cluster.NodeCredential;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeCredentialFileTest {

  @Test
  void theCredentialIsStoredForTheOwnerOnlyAndReadBackForItsNode(@TempDir Path dataDir)
      throws Exception {
    var file = new NodeCredentialFile(dataDir);
    var issued = NodeCredential.issue("n1");

    file.write(issued);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path())))
        .isEqualTo("rw-------");
    assertThat(file.read("n1")).contains(issued);
    assertThat(file.read("n2")).as("a file issued to another node id").isEmpty();
    try (var files = Files.list(dataDir)) {
      assertThat(files).containsExactly(file.path());
    }
  }

  @Test
  void aReplacedCredentialIsOwnerOnlyEvenWhenTheOldFileWasNot(@TempDir Path dataDir)
      throws Exception {
    var file = new NodeCredentialFile(dataDir);
    file.write(NodeCredential.issue("n1"));
    Files.setPosixFilePermissions(file.path(), PosixFilePermissions.fromString("rw-r--r--"));
    var fresh = NodeCredential.issue("n1");

    file.write(fresh);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path())))
        .isEqualTo("rw-------");
    assertThat(file.read("n1")).contains(fresh);
  }

  @Test
  void anUnreadableFileCountsAsNoCredential(@TempDir Path dataDir) throws Exception {
    var file = new NodeCredentialFile(dataDir);
    Files.writeString(file.path(), "{\"nodeId\":\"n1\",");

    assertThat(file.read("n1")).isEmpty();
  }

  @Test
  void theCredentialNeverAppearsInItsStringForm() {
    var issued = NodeCredential.issue("n1");

    assertThat(issued.toString()).contains("n1").doesNotContain(issued.credential());
  }
}
