package dev.ipa.sim.cli;

import dev.ipa.transport.tls.FederationCertificates;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ipa certs}: a federation CA plus one key pair and certificate per peer, so mutual TLS is the easy path. */
@Command(name = "certs", description = "Create a federation CA and one key pair + certificate per peer for mutual TLS.")
public final class CertsCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--federation", required = true, description = "Federation name, written into the CA certificate.")
  String federation;

  @Option(names = "--peers", required = true, split = ",", description = "Peer ids, comma-separated; each becomes a certificate's CN and SAN.")
  List<String> peers;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write ca.crt, ca.key and one folder per peer into.")
  Path out;

  @Override
  public void run() {
    if (peers.stream().distinct().count() != peers.size()) {
      throw new IllegalArgumentException("--peers lists a peer twice (" + peers + "); give each peer once.");
    }
    peers.forEach(FederationCertificates::requireValidPeerId);
    try {
      FederationCertificates.generate(federation, peers, out);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write certificates to " + out + ": " + e.getMessage(), e);
    }
    PrintWriter o = spec.commandLine().getOut();
    o.printf("Federation '%s': CA and %d peer certificates in %s%n", federation, peers.size(), out);
    o.println("  " + out.resolve("ca.key") + "   keep offline: it signs new peers; never give it to a peer");
    for (String p : peers) {
      o.printf("  %s/   give to %s: peer.key (secret, mode 600), peer.crt, ca.crt%n", out.resolve(p), p);
    }
    o.flush();
  }
}
