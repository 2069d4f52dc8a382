package dev.ipa.alignment.protocol;

/**
 * The parameters of the two personalisation baselines, validated once in the compact constructor; immutable.
 *
 * @param dittoLambda   Ditto's λ ≥ 0: each peer's personal model v trains with λ/2·‖v − w‖² towards the global
 *                      model w (Li et al., ICML 2021)
 * @param fineTuneSteps FedAvg + fine-tuning: the local steps taken from the global model at the end of each round to
 *                      give the personal model; 0 means one training share (1/syncs of a local epoch)
 */
public record PersonalSettings(double dittoLambda, int fineTuneSteps) {

  public PersonalSettings {
    if (!(dittoLambda >= 0) || Double.isInfinite(dittoLambda)) {
      throw new IllegalArgumentException("Ditto λ (--ditto-lambda) must be a finite number ≥ 0, got " + dittoLambda + ".");
    }
    if (fineTuneSteps < 0) {
      throw new IllegalArgumentException("Fine-tuning steps (--ft-steps) must be ≥ 0 (0: one training share), got " + fineTuneSteps + ".");
    }
  }

  /** λ = 0.1 for Ditto, one training share of fine-tuning. */
  public static PersonalSettings defaults() {
    return new PersonalSettings(0.1, 0);
  }
}
