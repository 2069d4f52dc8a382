package dev.ipa.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The link table's tie-break and bookkeeping, without sockets: connections and dials are plain objects. */
class LinkTableTest {

  /** A connection; {@code dial} is the handle of the dial it came from (null if accepted). */
  private record Conn(String name, boolean initiator, Object dial) implements LinkTable.Contender {
    static Conn accepted(String name) {
      return new Conn(name, false, null);
    }
  }

  private final AtomicBoolean closing = new AtomicBoolean();

  private LinkTable<Conn> table(String local) {
    return new LinkTable<>(local, List.of("a", "b", "c").stream().filter(p -> !p.equals(local)).toList(), closing::get);
  }

  /** Starts a dial from the table's peer to {@code peer} and returns the connection it will become. */
  private static Conn dial(LinkTable<Conn> t, String peer) {
    Object handle = new Object();
    Object started = t.startDial(peer, () -> handle, Function.identity());
    assertThat(started).as("a dial to " + peer + " started").isSameAs(handle);
    return new Conn("dial to " + peer, true, handle);
  }

  @Test
  void theSmallerPeerRefusesTheLargerOnesConnectionWhileItsOwnDialIsPending() {
    LinkTable<Conn> a = table("a");
    Conn own = dial(a, "b");
    LinkTable.Admission<Conn> answer = a.admit("b", Conn.accepted("from b"));
    assertThat(answer.admitted()).isFalse();
    assertThat(answer.refusal()).startsWith(LinkTable.DUPLICATE).contains("smaller peer id");
    assertThat(a.active("b")).isNull();
    assertThat(a.dialing("b")).as("its own dial stays").isSameAs(own.dial());

    assertThat(a.confirm("b", own, own.dial()).admitted()).isTrue();
    assertThat(a.active("b")).isSameAs(own);
    assertThat(a.dialing("b")).isNull();
  }

  @Test
  void theSmallerPeerRefusesTheLargerOnesConnectionWhileItsOwnLinkIsUp() {
    LinkTable<Conn> a = table("a");
    Conn own = dial(a, "b");
    a.confirm("b", own, own.dial());
    assertThat(a.admit("b", Conn.accepted("from b")).refusal()).startsWith(LinkTable.DUPLICATE);
    assertThat(a.active("b")).isSameAs(own);
  }

  @Test
  void theLargerPeerAcceptsTheSmallerOnesConnectionAndAbandonsItsOwnDial() {
    LinkTable<Conn> b = table("b");
    Conn own = dial(b, "a");
    Conn fromA = Conn.accepted("from a");
    LinkTable.Admission<Conn> answer = b.admit("a", fromA);
    assertThat(answer.admitted()).isTrue();
    assertThat(answer.abandonedDial()).isSameAs(own.dial());
    assertThat(answer.replaced()).as("the link just came up").isNull();
    assertThat(b.active("a")).isSameAs(fromA);
    assertThat(b.dialing("a")).isNull();

    // Its abandoned dial, should it still get an Accept, loses against the smaller peer's connection.
    LinkTable.Admission<Conn> late = b.confirm("a", own, own.dial());
    assertThat(late.refusal()).startsWith(LinkTable.DUPLICATE).contains("'a' (smaller id) is kept");
    assertThat(b.active("a")).isSameAs(fromA);
  }

  @Test
  void theSmallerPeersDialReplacesAConnectionItHadAcceptedFromTheLargerOne() {
    LinkTable<Conn> a = table("a");
    Conn fromB = Conn.accepted("from b");
    assertThat(a.admit("b", fromB).admitted()).as("no dial of its own was pending").isTrue();
    Object handle = new Object();
    assertThat(a.startDial("b", () -> handle, Function.identity())).as("the link to b is up: no dial").isNull();
    Conn laterDial = new Conn("a's dial", true, null);
    LinkTable.Admission<Conn> answer = a.confirm("b", laterDial, null);
    assertThat(answer.admitted()).isTrue();
    assertThat(answer.replaced()).isSameAs(fromB);
  }

  @Test
  void aPeerThatDialsAgainWhileAnOlderLinkExistsReplacesIt() {
    LinkTable<Conn> b = table("b");
    Conn first = Conn.accepted("first from a");
    Conn second = Conn.accepted("after a's restart");
    b.admit("a", first);
    LinkTable.Admission<Conn> answer = b.admit("a", second);
    assertThat(answer.admitted()).isTrue();
    assertThat(answer.replaced()).isSameAs(first);
    assertThat(b.active("a")).isSameAs(second);
    // The replaced connection closing afterwards does not take the new link down.
    assertThat(b.closed("a", first, null)).isEqualTo(new LinkTable.Loss(false, -1));
    assertThat(b.active("a")).isSameAs(second);
  }

  @Test
  void aLostLinkIsRedialedWithGrowingAttemptsUntilItIsUpAgain() {
    LinkTable<Conn> a = table("a");
    Conn own = dial(a, "b");
    a.confirm("b", own, own.dial());
    assertThat(a.closed("b", own, own.dial())).isEqualTo(new LinkTable.Loss(true, 0));
    assertThat(a.active("b")).isNull();

    Conn second = dial(a, "b");
    assertThat(a.dialFailed("b", second.dial())).isEqualTo(1);
    Conn third = dial(a, "b");
    assertThat(a.dialFailed("b", third.dial())).isEqualTo(2);
    Conn fourth = dial(a, "b");
    a.confirm("b", fourth, fourth.dial());
    assertThat(a.closed("b", fourth, fourth.dial())).as("attempts restart once the link was up").isEqualTo(new LinkTable.Loss(true, 0));
  }

  @Test
  void anAcceptedConnectionThatWasNotTheLinkIsTheOtherSidesToRedial() {
    LinkTable<Conn> a = table("a");
    Conn refused = Conn.accepted("from b, refused");
    dial(a, "b");
    a.admit("b", refused);
    assertThat(a.closed("b", refused, null)).isEqualTo(new LinkTable.Loss(false, -1));
    // Nor does one that closed before the handshake decided anything.
    LinkTable<Conn> c = table("c");
    assertThat(c.closed("a", Conn.accepted("never admitted"), null)).isEqualTo(new LinkTable.Loss(false, -1));
  }

  @Test
  void aDialThatFailsAfterConnectingIsRedialedButNotWhileTheLinkIsUp() {
    LinkTable<Conn> c = table("c");
    Conn own = dial(c, "a");
    assertThat(c.closed("a", own, own.dial())).isEqualTo(new LinkTable.Loss(false, 0));
    Conn again = dial(c, "a");
    assertThat(c.admit("a", Conn.accepted("from a")).abandonedDial()).isSameAs(again.dial());
    assertThat(c.dialFailed("a", again.dial())).as("the link is up").isEqualTo(-1);
  }

  @Test
  void onlyOneDialIsScheduledAndNoneStartsWhileOneIsPending() {
    LinkTable<Conn> a = table("a");
    assertThat(a.scheduleDial("b")).isTrue();
    assertThat(a.scheduleDial("b")).isFalse();
    a.dialNotScheduled("b");
    assertThat(a.scheduleDial("b")).isTrue();
    dial(a, "b");
    assertThat(a.scheduleDial("b")).as("the due dial cleared the schedule").isTrue();
    assertThat(a.startDial("b", Object::new, Function.identity())).as("a dial is pending").isNull();
  }

  @Test
  void nothingIsAdmittedDialedOrRedialedWhileShuttingDown() {
    LinkTable<Conn> a = table("a");
    Conn own = dial(a, "b");
    a.confirm("b", own, own.dial());
    closing.set(true);
    assertThat(a.admit("c", Conn.accepted("from c")).refusal()).isEqualTo("peer 'a' is shutting down");
    assertThat(a.confirm("c", new Conn("dial", true, null), null).refusal()).isEqualTo("peer 'a' is shutting down");
    assertThat(a.scheduleDial("c")).isFalse();
    assertThat(a.startDial("c", Object::new, Function.identity())).isNull();
    assertThat(a.closed("b", own, own.dial())).isEqualTo(new LinkTable.Loss(true, -1));
  }

  @Test
  void anUnconfiguredPeerHasNoEntry() {
    LinkTable<Conn> a = table("a");
    assertThat(a.contains("b")).isTrue();
    assertThat(a.contains("a")).isFalse();
    assertThatThrownBy(() -> a.active("zed")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'zed'");
  }
}
