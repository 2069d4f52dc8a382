package dev.ipa.alignment.protocol;

import java.util.Locale;

/**
 * How each peer makes its personal model, and the two personalisation baselines' parameters; validated once in the
 * compact constructor; immutable.
 *
 * <p>Fine-tuning trains on the peer's own data without any penalty. By default ({@code fineTuneSteps} 0) it trains
 * whole local epochs, at most {@code fineTuneEpochs}, and keeps the epoch that scores best on the peer's validation
 * split, the starting model included; it stops at the first epoch that does not improve. FedAvg + fine-tuning and
 * IPA get the same procedure, so they are compared on the same budget.
 *
 * @param dittoLambda    Ditto's λ ≥ 0: each peer's personal model v trains with λ/2·‖v − w‖² towards the global
 *                       model w (Li et al., ICML 2021)
 * @param fineTuneSteps  exactly this many local steps, with no selection on validation, make a fine-tuned model; 0
 *                       (the default): whole epochs selected on validation, as above
 * @param fineTuneEpochs the most local epochs the validation-selected fine-tuning trains, ≥ 1
 * @param ipaPersonal    how IPA makes its personal model
 */
public record PersonalSettings(double dittoLambda, int fineTuneSteps, int fineTuneEpochs, IpaPersonal ipaPersonal) {
  /** The default most epochs of validation-selected fine-tuning. */
  public static final int DEFAULT_FINE_TUNE_EPOCHS = 3;

  /** IPA's personal model: computed for evaluation and download, never published. */
  public enum IpaPersonal {
    /**
     * The default: the peer's own model (trained alone beside θ, on the same batches, from the shared initial
     * weights: local-only training, bit for bit), unless θ fine-tuned or the consensus fine-tuned is significantly
     * better on the peer's own validation split (a paired sign test). The own model costs one more local epoch per round.
     */
    BEST("best"),
    /** θ fine-tuned or the consensus fine-tuned, whichever validates better; no own model. */
    FINE_TUNED("fine-tuned"),
    /** θ itself. */
    THETA("theta");

    private final String id;

    IpaPersonal(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }

    /** Parses {@code best}, {@code fine-tuned} or {@code theta}; anything else is one sentence naming the choices. */
    public static IpaPersonal parse(String text) {
      for (IpaPersonal p : values()) if (p.id.equals(text.trim().toLowerCase(Locale.ROOT))) return p;
      throw new IllegalArgumentException("unknown personal model '" + text.trim() + "'; use best, fine-tuned or theta.");
    }
  }

  public PersonalSettings {
    if (!(dittoLambda >= 0) || Double.isInfinite(dittoLambda)) {
      throw new IllegalArgumentException("Ditto λ (--ditto-lambda) must be a finite number ≥ 0, got " + dittoLambda + ".");
    }
    if (fineTuneSteps < 0) {
      throw new IllegalArgumentException("Fine-tuning steps (--ft-steps) must be ≥ 0 (0: whole epochs selected on validation), got " + fineTuneSteps + ".");
    }
    if (fineTuneEpochs < 1) {
      throw new IllegalArgumentException("Fine-tuning epochs (--ft-epochs) must be ≥ 1, got " + fineTuneEpochs + ".");
    }
    java.util.Objects.requireNonNull(ipaPersonal, "ipaPersonal");
  }

  /** The default most epochs and IPA personal model. */
  public PersonalSettings(double dittoLambda, int fineTuneSteps) {
    this(dittoLambda, fineTuneSteps, DEFAULT_FINE_TUNE_EPOCHS, IpaPersonal.BEST);
  }

  /** λ = 0.1; at most 3 epochs of fine-tuning, selected on validation; IPA's personal model the best of three. */
  public static PersonalSettings defaults() {
    return new PersonalSettings(0.1, 0, DEFAULT_FINE_TUNE_EPOCHS, IpaPersonal.BEST);
  }

  /** True when the fine-tuning trains whole epochs and keeps the best on validation. */
  public boolean selectsOnValidation() {
    return fineTuneSteps == 0;
  }
}
