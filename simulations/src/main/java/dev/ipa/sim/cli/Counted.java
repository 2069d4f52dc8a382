package dev.ipa.sim.cli;

/** A count with its noun in the right number, for what the CLI prints: "1 epoch", "2 epochs". Stateless. */
final class Counted {
  private Counted() {}

  /** {@code n} and {@code singular}, with an "s" added unless {@code n} is 1. */
  static String of(long n, String singular) {
    return n + " " + (n == 1 ? singular : singular + "s");
  }
}
