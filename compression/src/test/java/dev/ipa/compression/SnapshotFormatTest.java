package dev.ipa.compression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link SnapshotFormat#header}: what a receiver learns about a message before decoding it. */
class SnapshotFormatTest {
  private final SnapshotEncoder encoder = new SnapshotEncoder(SnapshotStreamTest.LAYOUT, SnapshotStreamTest.policy("sign"));

  @Test
  void aFullSnapshotsHeaderNamesItsKindRoundAndVersion() {
    EncodedSnapshot full = encoder.encode(SnapshotStreamTest.theta(0), 3);
    SnapshotFormat.Header h = SnapshotFormat.header(full.bytes());
    assertThat(h.kind()).isEqualTo(SnapshotKind.FULL);
    assertThat(h.isFull()).isTrue();
    assertThat(h.round()).isEqualTo(3);
    assertThat(h.baseRound()).isEqualTo(-1);
    assertThat(h.baseVersion()).isZero();
    assertThat(h.version()).isEqualTo(full.version()).isEqualTo(encoder.version());
  }

  @Test
  void aDeltasHeaderNamesTheBaseItNeeds() {
    EncodedSnapshot full = encoder.encode(SnapshotStreamTest.theta(0), 1);
    EncodedSnapshot delta = encoder.encode(SnapshotStreamTest.theta(1), 2);
    SnapshotFormat.Header h = SnapshotFormat.header(delta.bytes());
    assertThat(h.kind()).isEqualTo(SnapshotKind.DELTA);
    assertThat(h.isFull()).isFalse();
    assertThat(h.round()).isEqualTo(2);
    assertThat(h.baseRound()).isEqualTo(1);
    assertThat(h.baseVersion()).isEqualTo(full.version()).isNotZero();
    assertThat(h.version()).isEqualTo(delta.version()).isNotEqualTo(full.version());
  }

  @Test
  void shortForeignAndUnknownMessagesAreRejectedInOneSentence() {
    byte[] good = encoder.encode(SnapshotStreamTest.theta(0), 0).bytes();
    assertThatThrownBy(() -> SnapshotFormat.header(null)).isInstanceOf(CorruptSnapshotException.class)
        .hasMessage("A snapshot message must not be null.");
    assertThatThrownBy(() -> SnapshotFormat.header(Arrays.copyOf(good, 47))).isInstanceOf(CorruptSnapshotException.class)
        .hasMessage("A snapshot message of 47 bytes is truncated: even an empty one has 48.");
    assertThatThrownBy(() -> SnapshotFormat.header(new byte[6])).isInstanceOf(CorruptSnapshotException.class)
        .hasMessageContaining("6 bytes is truncated");
    byte[] foreign = good.clone();
    foreign[0] = 'X';
    assertThatThrownBy(() -> SnapshotFormat.header(foreign)).isInstanceOf(CorruptSnapshotException.class)
        .hasMessageContaining("IPAS magic");
    byte[] future = good.clone();
    future[4] = 2;
    assertThatThrownBy(() -> SnapshotFormat.header(future)).isInstanceOf(CorruptSnapshotException.class)
        .hasMessageContaining("format version 2");
    byte[] unknownKind = good.clone();
    unknownKind[5] = 3;
    assertThatThrownBy(() -> SnapshotFormat.header(unknownKind)).isInstanceOf(CorruptSnapshotException.class)
        .hasMessageContaining("unknown kind 3");
    byte[] reserved = good.clone();
    reserved[6] = 1;
    assertThatThrownBy(() -> SnapshotFormat.header(reserved)).isInstanceOf(CorruptSnapshotException.class)
        .hasMessageContaining("reserved bits");
  }

  @Test
  void aDamagedBodyPassesTheHeaderButNotTheDecoder() {
    byte[] damaged = encoder.encode(SnapshotStreamTest.theta(0), 0).bytes().clone();
    damaged[damaged.length / 2] ^= 1;
    assertThat(SnapshotFormat.header(damaged).isFull()).isTrue();
    assertThatThrownBy(() -> new SnapshotDecoder(SnapshotStreamTest.LAYOUT).apply(damaged))
        .isInstanceOf(CorruptSnapshotException.class).hasMessageContaining("checksum");
  }
}
