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

    /** The ring runs both ways, so a peer hears from exactly those it sends to (O(1), not a pass over every peer). */
    @Override
    public Set<String> incoming(String self, List<String> peers, int round, long seed) {
      return outgoing(self, peers, round, seed);
    }

    @Override
    public String toString() {
      return "ring";
    }
  }

  /**
   * Each peer sends to k others drawn anew every round from (seed, round, peer).
   *
   * <p>Finding who sends to one peer means drawing every peer's k, O(N²) per call; so the whole round's graph is
   * drawn once and kept in a small cache shared by every peer of the process (in a simulation all N peers ask
   * about the same few rounds), which makes a call O(N) to look up. The graph is the same either way.
   */
  record RandomK(int k) implements Topology {
    /** Round graphs by (k, seed, round, peers); the last few only, since rounds advance together. */
    private static final java.util.Map<List<Object>, java.util.Map<String, Set<String>[]>> GRAPHS = java.util.Collections.synchronizedMap(
        new java.util.LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(java.util.Map.Entry<List<Object>, java.util.Map<String, Set<String>[]>> eldest) {
            return size() > 8;
          }
        });

    public RandomK {
      if (k < 1) throw new IllegalArgumentException("random:K needs K ≥ 1, got " + k + ".");
    }

    @Override
    public Set<String> outgoing(String self, List<String> peers, int round, long seed) {
      Set<String>[] edges = graph(peers, round, seed).get(self);
      return edges == null ? draw(self, peers, round, seed) : edges[0];
    }

    @Override
    public Set<String> incoming(String self, List<String> peers, int round, long seed) {
      Set<String>[] edges = graph(peers, round, seed).get(self);
      return edges == null ? Topology.super.incoming(self, peers, round, seed) : edges[1];
    }

    /** peer → {outgoing, incoming} of one round, each an unmodifiable sorted set. */
    @SuppressWarnings("unchecked")
    private java.util.Map<String, Set<String>[]> graph(List<String> peers, int round, long seed) {
      List<Object> key = List.of(k, seed, round, List.copyOf(peers));
      java.util.Map<String, Set<String>[]> g = GRAPHS.get(key);
      if (g != null) return g;
      java.util.Map<String, Set<String>> in = new java.util.HashMap<>();
      java.util.Map<String, Set<String>> out = new java.util.HashMap<>();
      for (String p : peers) in.put(p, new TreeSet<>());
      for (String p : peers) {
        Set<String> to = draw(p, peers, round, seed);
        out.put(p, java.util.Collections.unmodifiableSet(to));
        for (String q : to) in.get(q).add(p);
      }
      g = new java.util.HashMap<>();
      for (String p : peers) g.put(p, new Set[] {out.get(p), java.util.Collections.unmodifiableSet(in.get(p))});
      GRAPHS.put(key, g);
      return g;
    }

    private Set<String> draw(String self, List<String> peers, int round, long seed) {
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
