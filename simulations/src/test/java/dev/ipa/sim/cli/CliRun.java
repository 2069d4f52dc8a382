package dev.ipa.sim.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the ipa command line in-process and captures what it printed. */
record CliRun(int exitCode, String out, String err) {
  static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Ipa.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new CliRun(code, out.toString(), err.toString());
  }
}
