package dev.ipa.sim.cli;

import dev.ipa.transport.tls.FederationCertificates;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ipa certs}: a federation CA plus one key pair and certificate per peer, so mutual TLS is the easy path.
 * It refuses to replace an existing CA unless {@code --force}, since a new CA invalidates every certificate
 * already handed out; {@code ipa certs add-peer} signs a new member with the existing one.
 */
@Command(name = "certs", description = "Create a federation CA and one key pair + certificate per peer for mutual TLS.",
    subcommands = AddPeerCommand.class)
public final class CertsCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  // Not picocli-required: 'ipa certs add-peer' would otherwise demand them too. run() checks them.
  @Option(names = "--federation", description = "Federation name, written into the CA certificate. Required.")
  String federation;

  @Option(names = "--peers", split = ",", description = "Peer ids, comma-separated; each becomes a certificate's CN and SAN. Required.")
  List<String> peers;

  @Option(names = "--out", paramLabel = "DIR", description = "Directory to write ca.crt, ca.key and one folder per peer into. Required.")
  Path out;

  @Option(names = "--force", description = "Replace an existing CA in --out. Every certificate it signed stops being trusted.")
  boolean force;

  @Override
  public void run() {
    if (federation == null || peers == null || out == null) {
      throw new IllegalArgumentException("Give --federation, --peers and --out, e.g. ./ipa certs --federation demo --peers a,b,c --out certs"
          + " (or 'ipa certs add-peer ID --ca DIR' to add a peer to an existing federation).");
    }
    if (peers.stream().distinct().count() != peers.size()) {
      throw new IllegalArgumentException("--peers lists a peer twice (" + peers + "); give each peer once.");
    }
    peers.forEach(FederationCertificates::requireValidPeerId);
    if (!force && Files.exists(out.resolve(FederationCertificates.CA_KEY))) {
      throw new IllegalArgumentException(out + " already holds a federation CA; replacing it would invalidate every certificate it signed."
          + " Add a peer with 'ipa certs add-peer ID --ca " + out + "', or pass --force to start a new federation.");
    }
    try {
      FederationCertificates.generate(federation, peers, out);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write certificates to " + out + ": " + e.getMessage(), e);
    }
    PrintWriter o = spec.commandLine().getOut();
    o.printf("Federation '%s': CA and %s in %s%n", federation, Counted.of(peers.size(), "peer certificate"), out);
    printHandout(o, out, peers);
  }

  static void printHandout(PrintWriter o, Path out, List<String> peers) {
    o.println("  " + out.resolve("ca.key") + "   keep offline: it signs new peers; never give it to a peer");
    for (String p : peers) {
      o.printf("  %s/   give to %s: peer.key (secret, mode 600), peer.crt, ca.crt%n", out.resolve(p), p);
    }
    o.flush();
  }
}
