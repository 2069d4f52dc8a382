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
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ipa certs add-peer ID --ca DIR}: signs a key pair and certificate for a new member with the federation's
 * existing CA, so the peers already running keep their certificates. Refuses to replace an existing peer's key
 * unless {@code --force}. Created per invocation.
 */
@Command(name = "add-peer", description = "Sign a certificate for one more peer with the federation's existing CA (ca.crt and ca.key in --ca).")
final class AddPeerCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "ID", description = "The new peer's id; it becomes the certificate's CN and SAN.")
  String peer;

  @Option(names = "--ca", required = true, paramLabel = "DIR", description = "The directory holding ca.crt and ca.key (what 'ipa certs --out' wrote).")
  Path ca;

  @Option(names = "--out", paramLabel = "DIR", description = "Where to write the peer's folder. Default: the --ca directory.")
  Path out;

  @Option(names = "--force", description = "Replace this peer's existing key and certificate.")
  boolean force;

  @Override
  public void run() {
    FederationCertificates.requireValidPeerId(peer);
    Path dir = out == null ? ca : out;
    if (!force && Files.exists(dir.resolve(peer).resolve(FederationCertificates.PEER_KEY))) {
      throw new IllegalArgumentException(dir.resolve(peer) + " already holds a key for peer '" + peer + "'; pass --force to replace it.");
    }
    try {
      FederationCertificates.addPeer(ca, peer, dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write the certificate to " + dir.resolve(peer) + ": " + e.getMessage(), e);
    }
    PrintWriter o = spec.commandLine().getOut();
    o.printf("Peer '%s' signed by the CA in %s%n", peer, ca);
    CertsCommand.printHandout(o, dir, List.of(peer));
    o.println("  Add " + peer + "=HOST:PORT to ipa.peer.peers of every other peer, and list the others in its own configuration.");
    o.flush();
  }
}
