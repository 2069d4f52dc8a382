package dev.ipa.alignment.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who sends snapshots to whom in a round. Every peer computes the same graph from the peer list, the round
 * and the federation seed, so a peer knows exactly whom it must wait for without asking.
 */
public sealed interface Topology {
  /** Peers that {@code self} sends to in {@code round}. */
  Set<String> outgoing(String self, List<String> peers, int round, long seed);

  /** Peers that send to {@code self} in {@code round}. */
  default Set<String> incoming(String self, List<String> peers, int round, long seed) {
    Set<String> in = new TreeSet<>();
    for (String p : peers) if (!p.equals(self) && outgoing(p, peers, round, seed).contains(self)) in.add(p);
    return in;
  }

  static Topology parse(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    if (t.equals("full") || t.equals("full-mesh") || t.equals("mesh")) return new FullMesh();
    if (t.equals("ring")) return new Ring();
    if (t.startsWith("random:")) {
      try {
        return new RandomK(Integer.parseInt(t.substring(7)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Bad topology '" + s + "'; write random:K with K a whole number, e.g. random:3.");
      }
    }
    throw new IllegalArgumentException("Unknown topology '" + s + "'; use full, ring or random:K.");
  }

  /** Everyone sends to everyone (the default). */
  record FullMesh() implements Topology {
    @Override
    public Set<String> outgoing(String self, List<String> peers, int round, long seed) {
      Set<String> out = new TreeSet<>(peers);
      out.remove(self);
      return out;
    }

    @Override
    public Set<String> incoming(String self, List<String> peers, int round, long seed) {
      return outgoing(self, peers, round, seed);
    }

    @Override
    public String toString() {
      return "full";
    }
  }

  /** Each peer sends to the next and the previous peer in list order (a bidirectional ring). */
  record Ring() implements Topology {
    @Override
    public Set<String> outgoing(String self, List<String> peers, int round, long seed) {
      int i = peers.indexOf(self);
      int n = peers.size();
      Set<String> out = new TreeSet<>();
      if (n > 1) {
        out.add(peers.get((i + 1) % n));
        out.add(peers.get((i - 1 + n) % n));
      }
      return out;
    }

    @Override
    public String toString() {
      return "ring";
    }
  }

  /** Each peer sends to k others drawn anew every round from (seed, round, peer). */
  record RandomK(int k) implements Topology {
    public RandomK {
      if (k < 1) throw new IllegalArgumentException("random:K needs K ≥ 1, got " + k + ".");
    }

    @Override
    public Set<String> outgoing(String self, List<String> peers, int round, long seed) {
      List<String> others = new ArrayList<>(peers);
      others.remove(self);
      Collections.shuffle(others, new Random(seed * 31 + round * 1_000_003L + self.hashCode()));
      return new TreeSet<>(others.subList(0, Math.min(k, others.size())));
    }

    @Override
    public String toString() {
      return "random:" + k;
    }
  }
}
