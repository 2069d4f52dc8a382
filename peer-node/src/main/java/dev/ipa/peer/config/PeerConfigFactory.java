package dev.ipa.peer.config;

import dev.ipa.peer.config.ConfigurationFiles.AdminProperties;
import dev.ipa.peer.config.ConfigurationFiles.FederationProperties;
import dev.ipa.peer.config.ConfigurationFiles.PeerProperties;
import dev.ipa.peer.config.ConfigurationFiles.TransportProperties;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import jakarta.inject.Singleton;

/**
 * The daemon's {@link PeerConfig} bean. Micronaut binds the configuration (YAML file, environment variables such
 * as {@code IPA_PEER_ID}, system properties and {@code -ipa.peer.id=...} arguments) into the
 * {@link ConfigurationFiles} records; {@link PeerConfigBinding} turns them into the validated record. Keys:
 * {@code ipa.peer.*} for the daemon, {@code ipa.federation.*} for what all peers must agree on, {@code ipa.admin.*}
 * for the admin API, {@code ipa.transport.*} for the transport's limits. peer-node/README.md lists them all.
 */
@Factory
final class PeerConfigFactory {

  @Singleton
  PeerConfig peerConfig(Environment env, PeerProperties peer, FederationProperties federation, AdminProperties admin,
      TransportProperties transport) {
    for (Record bound : new Record[] {peer, federation, admin, transport}) {
      PeerConfigBinding.requireConverted(bound, key -> env.getProperty(key, String.class));
    }
    return PeerConfigBinding.toConfig(peer, federation, admin, transport);
  }
}
