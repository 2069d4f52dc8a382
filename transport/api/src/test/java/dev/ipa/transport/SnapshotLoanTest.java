package dev.ipa.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

class SnapshotLoanTest {
  private final List<byte[]> givenBack = new CopyOnWriteArrayList<>();
  private final PeerSnapshot snapshot = new PeerSnapshot("a", 1, 0, 7, 10, new byte[] {1, 2, 3});

  @Test
  void releaseGivesTheArrayBackOnceAndEndsTheLoan() {
    SnapshotLoan loan = SnapshotLoan.lent(snapshot, givenBack::add);
    assertThat(loan.snapshot()).isSameAs(snapshot);
    loan.release();
    loan.release();
    assertThat(givenBack).singleElement().isSameAs(snapshot.payload());
    assertThatThrownBy(loan::snapshot).isInstanceOf(IllegalStateException.class).hasMessageContaining("released");
    assertThatThrownBy(loan::keep).isInstanceOf(IllegalStateException.class).hasMessageContaining("released");
  }

  @Test
  void aKeptPayloadIsNeverGivenBack() {
    SnapshotLoan loan = SnapshotLoan.lent(snapshot, givenBack::add);
    assertThat(loan.keep()).isSameAs(snapshot);
    assertThat(loan.keep()).isSameAs(snapshot);
    loan.release();
    assertThat(givenBack).isEmpty();
    assertThat(loan.snapshot().payload()).containsExactly(1, 2, 3);
  }

  @Test
  void anUnpooledLoanEndsLikeAnyOtherButGivesNothingBack() {
    SnapshotLoan loan = SnapshotLoan.unpooled(snapshot);
    loan.release();
    assertThatThrownBy(loan::snapshot).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void whenKeepAndReleaseRaceExactlyOneWinsAndTheArrayComesBackAtMostOnce() throws Exception {
    for (int i = 0; i < 2_000; i++) {
      givenBack.clear();
      SnapshotLoan loan = SnapshotLoan.lent(snapshot, givenBack::add);
      CyclicBarrier start = new CyclicBarrier(3);
      boolean[] kept = new boolean[1];
      Thread keeper = new Thread(() -> {
        await(start);
        try {
          loan.keep();
          kept[0] = true;
        } catch (IllegalStateException released) {
          kept[0] = false;
        }
      });
      Thread releaser1 = new Thread(() -> {
        await(start);
        loan.release();
      });
      keeper.start();
      releaser1.start();
      await(start);
      loan.release();
      keeper.join();
      releaser1.join();
      assertThat(givenBack).as("round " + i + ", kept=" + kept[0]).hasSize(kept[0] ? 0 : 1);
    }
  }

  private static void await(CyclicBarrier b) {
    try {
      b.await();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
