package dev.ipa.alignment.protocol;

/**
 * How each peer makes its personal model, and the two personalisation baselines' parameters; validated once in the
 * compact constructor; immutable.
 *
 * @param dittoLambda   Ditto's λ ≥ 0: each peer's personal model v trains with λ/2·‖v − w‖² towards the global
 *                      model w (Li et al., ICML 2021)
 * @param fineTuneSteps the local steps, without any penalty, that turn a model into the personal one: from the global
 *                      model at the end of each round for FedAvg + fine-tuning, and from θ for IPA (when
 *                      {@code ipaFineTune}); 0 means one local epoch
 * @param ipaFineTune   IPA's personal model is θ fine-tuned by {@code fineTuneSteps} on the peer's own data, or the
 *                      consensus where that scores higher on the peer's validation split; computed for evaluation
 *                      and download and never published (true, the default); false: θ itself
 */
public record PersonalSettings(double dittoLambda, int fineTuneSteps, boolean ipaFineTune) {

  public PersonalSettings {
    if (!(dittoLambda >= 0) || Double.isInfinite(dittoLambda)) {
      throw new IllegalArgumentException("Ditto λ (--ditto-lambda) must be a finite number ≥ 0, got " + dittoLambda + ".");
    }
    if (fineTuneSteps < 0) {
      throw new IllegalArgumentException("Fine-tuning steps (--ft-steps) must be ≥ 0 (0: one local epoch), got " + fineTuneSteps + ".");
    }
  }

  /** IPA's personal model fine-tuned. */
  public PersonalSettings(double dittoLambda, int fineTuneSteps) {
    this(dittoLambda, fineTuneSteps, true);
  }

  /** λ = 0.1 for Ditto, one local epoch of fine-tuning, IPA's personal model fine-tuned. */
  public static PersonalSettings defaults() {
    return new PersonalSettings(0.1, 0, true);
  }

  /** The fine-tuning steps for a peer whose local epoch is {@code stepsPerEpoch} steps. */
  public int fineTuneSteps(int stepsPerEpoch) {
    return fineTuneSteps > 0 ? fineTuneSteps : stepsPerEpoch;
  }
}
