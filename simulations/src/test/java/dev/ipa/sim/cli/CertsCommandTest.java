package dev.ipa.sim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertsCommandTest {
  @Test
  void writesACaAndOneOwnerOnlyKeyPerPeer(@TempDir Path dir) throws Exception {
    CliRun run = CliRun.of("certs", "--federation", "f", "--peers", "a,b", "--out", dir.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    for (String p : new String[] {"a", "b"}) {
      assertThat(dir.resolve(p).resolve("peer.crt")).exists();
      assertThat(dir.resolve(p).resolve("ca.crt")).hasSameBinaryContentAs(dir.resolve("ca.crt"));
      assertThat(Files.getPosixFilePermissions(dir.resolve(p).resolve("peer.key")))
          .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    }
    assertThat(Files.getPosixFilePermissions(dir.resolve("ca.key"))).doesNotContain(PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_READ);
    assertThat(run.out()).contains("give to a");
  }

  @Test
  void aPeerListedTwiceIsRejected(@TempDir Path dir) {
    CliRun run = CliRun.of("certs", "--federation", "f", "--peers", "a,a", "--out", dir.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("lists a peer twice");
  }
}
