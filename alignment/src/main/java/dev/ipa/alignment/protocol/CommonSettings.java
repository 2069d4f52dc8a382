package dev.ipa.alignment.protocol;

import dev.ipa.compression.CodecPolicy;
import java.time.Duration;
import java.util.Objects;

/**
 * How the rounds of a federation run, whatever the algorithm; every peer must agree on these. Validated once, in
 * the compact constructor; immutable.
 *
 * @param rounds          rounds to run, ≥ 1 (one local epoch each)
 * @param syncs           exchanges per local epoch, ≥ 1
 * @param topology        who sends to whom each round
 * @param earlyStop       early-stopping policy
 * @param exchangeTimeout how long a peer waits for its neighbours' snapshots at each exchange
 * @param codec           how published snapshots are encoded
 * @param seed            federation seed (topology draws, initialisation, shuffling, ring order)
 * @param protocol        {@link Protocol#PARALLEL} (every peer trains at once) or {@link Protocol#RING} (the IPA
 *                        paper's Algorithm 1: the set of all parameters travels around the ring)
 * @param staleness       the parallel protocol's staleness bound S ≥ 0: 0 is synchronous (a peer waits at each
 *                        exchange of round r for every neighbour's snapshot of that exchange, or the timeout); S &gt; 0
 *                        is bounded staleness (it waits only until every neighbour has published something from
 *                        round r − S or later, and aligns to the latest snapshots it holds)
 */
public record CommonSettings(
    int rounds,
    int syncs,
    Topology topology,
    EarlyStop earlyStop,
    Duration exchangeTimeout,
    CodecPolicy codec,
    long seed,
    Protocol protocol,
    int staleness) {

  public CommonSettings {
    Objects.requireNonNull(topology, "topology");
    Objects.requireNonNull(earlyStop, "earlyStop");
    Objects.requireNonNull(exchangeTimeout, "exchangeTimeout");
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(protocol, "protocol");
    if (syncs < 1) throw new IllegalArgumentException("Exchanges per epoch (--syncs) must be ≥ 1, got " + syncs + ".");
    if (rounds < 1) throw new IllegalArgumentException("Rounds (--rounds) must be ≥ 1, got " + rounds + ".");
    if (exchangeTimeout.isNegative() || exchangeTimeout.isZero()) throw new IllegalArgumentException("The exchange timeout must be positive, got " + exchangeTimeout + ".");
    if (staleness < 0) throw new IllegalArgumentException("The staleness bound must be ≥ 0 rounds (0 = synchronous), got " + staleness + ".");
  }

  /** The same settings with another early-stop policy. */
  public CommonSettings with(EarlyStop e) {
    return new CommonSettings(rounds, syncs, topology, e, exchangeTimeout, codec, seed, protocol, staleness);
  }

  /** The same settings with another protocol. */
  public CommonSettings with(Protocol p) {
    return new CommonSettings(rounds, syncs, topology, earlyStop, exchangeTimeout, codec, seed, p, staleness);
  }
}
