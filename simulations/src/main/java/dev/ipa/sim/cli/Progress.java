package dev.ipa.sim.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on an interactive terminal, and nothing otherwise: when output goes to a file or a pipe the
 * commands print one line per epoch or round instead, which reads better in a log than redrawn bars.
 */
final class Progress implements AutoCloseable {
  private final ProgressBar bar;

  private Progress(ProgressBar bar) {
    this.bar = bar;
  }

  static Progress start(String task, long max) {
    if (System.console() == null) return new Progress(null);
    return new Progress(new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
        .setUpdateIntervalMillis(200).continuousUpdate().build());
  }

  void stepTo(long n) {
    if (bar != null) bar.stepTo(n);
  }

  void extra(String message) {
    if (bar != null) bar.setExtraMessage(message);
  }

  @Override
  public void close() {
    if (bar != null) bar.close();
  }
}
