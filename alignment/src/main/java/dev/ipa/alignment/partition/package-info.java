/**
 * Dividing a data set among peers: pure, seeded functions from labels to {@link
 * dev.ipa.alignment.partition.Shard shards}.
 *
 * <h2>Entry points</h2>
 * <pre>{@code
 * PartitionPlan plan = PartitionPlan.of("dirichlet:0.5", peers, seed);   // validation fraction 0.1
 * List<Shard> shards = plan.split(train.labelsAsInts(), train.numClasses());
 * }</pre>
 * Call {@code split} before any training starts: it is where impossible plans fail (more disjoint peers than
 * classes, an empty shard), with one-sentence {@link java.lang.IllegalArgumentException}s.
 *
 * <h2>Specs ({@link dev.ipa.alignment.partition.PartitionSpec#parse})</h2>
 * <ul>
 *   <li>{@code iid}: shuffled, equal sizes.</li>
 *   <li>{@code dirichlet:α}: per class, proportions over peers drawn from Dir(α) (Gamma variates by
 *       Marsaglia-Tsang); smaller α, more skew.</li>
 *   <li>{@code dirichlet-capped:α}: NIID-Bench's and PFLlib's split: the same draw class by class, but a peer
 *       that already holds N/n samples gets no share of later classes; redrawn until every peer holds at least
 *       40 samples.</li>
 *   <li>{@code disjoint}: contiguous, near-equal class groups, larger groups first, as in the IPA paper:
 *       2 peers {0–4 | 5–9}, 3 peers {0–3 | 4–6 | 7–9}, 5 peers two classes each. {@code disjoint:9/1},
 *       {@code 8/2}, {@code 7/3}: explicit group sizes.</li>
 *   <li>{@code power-law[:β]}: iid content, sizes ∝ (i+1)^-β, β defaults to 1.</li>
 *   <li>{@code class-imbalance[:f]}: peer i is dominated by class i mod K, f defaults to 0.8.</li>
 *   <li>{@code class-number}: the CFFL and IPA papers' class imbalance: equal shards, peer i holds the first
 *       ⌊linspace(1, K, n)⌋<sub>i</sub> classes; samples that do not fit equal shards are left out.</li>
 * </ul>
 *
 * <h2>Guarantees</h2>
 * Every sample index lands in exactly one shard, in its training or validation part (at most one with
 * {@code class-number}); every shard trains on
 * at least one sample; the validation part is stratified by class; the same plan and labels give the same
 * shards on every JDK ({@link java.util.Random}, whose algorithm is specified). Everything here is
 * immutable or stateless and thread-safe. JDK only; no I/O.
 */
package dev.ipa.alignment.partition;
