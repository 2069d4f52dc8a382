package dev.ipa.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReceiveSpareTest {
  @Test
  void aGivenBackArrayIsTakenOnceForTheSameSize() {
    ReceiveSpare spare = new ReceiveSpare(1 << 20);
    byte[] a = spare.take(1000);
    spare.giveBack(a);
    assertThat(spare.take(1000)).isSameAs(a);
    assertThat(spare.take(1000)).as("the slot is empty once taken").isNotSameAs(a);
  }

  @Test
  void aSnapshotOfAnotherSizeGetsANewArrayAndTheSpareIsDropped() {
    ReceiveSpare spare = new ReceiveSpare(1 << 20);
    byte[] a = new byte[1000];
    spare.giveBack(a);
    assertThat(spare.take(999)).hasSize(999);
    assertThat(spare.heldBytes()).isZero();
    assertThat(spare.take(1000)).isNotSameAs(a);
  }

  @Test
  void arraysAboveTheCapAndEmptyArraysAreNotKept() {
    ReceiveSpare spare = new ReceiveSpare(1000);
    spare.giveBack(new byte[1001]);
    assertThat(spare.heldBytes()).isZero();
    spare.giveBack(new byte[0]);
    assertThat(spare.heldBytes()).isZero();
    spare.giveBack(new byte[1000]);
    assertThat(spare.heldBytes()).isEqualTo(1000);

    ReceiveSpare off = new ReceiveSpare(0);
    off.giveBack(new byte[1]);
    assertThat(off.heldBytes()).isZero();
  }

  @Test
  void theNewestGivenBackArrayReplacesTheOlderOne() {
    ReceiveSpare spare = new ReceiveSpare(1 << 20);
    byte[] older = new byte[1000];
    byte[] newer = new byte[2000];
    spare.giveBack(older);
    spare.giveBack(newer);
    assertThat(spare.heldBytes()).isEqualTo(2000);
    assertThat(spare.take(2000)).isSameAs(newer);
  }
}
