package dev.ipa.transport.netty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Addresses for a federation whose peers all run on this machine: one free 127.0.0.1 port per peer.
 *
 * <p>The ports are free when this returns; another process could take one before the transport binds it, which
 * on a test machine is rare enough to accept.
 */
public final class LoopbackFederation {
  private LoopbackFederation() {}

  /** Peer id → 127.0.0.1:free-port, in the order of {@code peerIds}. */
  public static Map<String, InetSocketAddress> addresses(List<String> peerIds) {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    List<ServerSocket> held = new ArrayList<>();
    Map<String, InetSocketAddress> out = new LinkedHashMap<>();
    try {
      // Hold every socket until all ports are chosen, so no two peers get the same port.
      for (String id : peerIds) {
        ServerSocket s = new ServerSocket(0, 1, loopback);
        held.add(s);
        out.put(id, new InetSocketAddress(loopback, s.getLocalPort()));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("No free loopback port could be found: " + e.getMessage(), e);
    } finally {
      for (ServerSocket s : held) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing a listening socket we own cannot leak anything that matters here
        }
      }
    }
  }
}
