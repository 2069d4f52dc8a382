package dev.ipa.peer.config;

import dev.ipa.peer.config.ConfigurationFiles.AdminProperties;
import dev.ipa.peer.config.ConfigurationFiles.DpProperties;
import dev.ipa.peer.config.ConfigurationFiles.RobustProperties;
import dev.ipa.peer.config.ConfigurationFiles.FederationProperties;
import dev.ipa.peer.config.ConfigurationFiles.PeerProperties;
import dev.ipa.peer.config.ConfigurationFiles.TransportProperties;
import io.micronaut.context.BeanContext;
import io.micronaut.context.annotation.ConfigurationReader;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.EnvironmentPropertySource;
import io.micronaut.context.env.PropertySource;
import io.micronaut.inject.BeanDefinition;
import io.micronaut.inject.qualifiers.Qualifiers;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
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
  PeerConfig peerConfig(Environment env, BeanContext beans, PeerProperties peer, FederationProperties federation, RobustProperties robust,
      DpProperties dp, AdminProperties admin, TransportProperties transport) {
    PeerConfigBinding.requireKnownKeys(configuredKeys(env), knownKeys(beans));
    for (Record bound : new Record[] {peer, federation, robust, dp, admin, transport}) {
      PeerConfigBinding.requireConverted(bound, key -> env.getProperty(key, String.class));
    }
    PeerConfigBinding.loginBackoff(admin); // a bad back-off stops start-up here, not at the first failed login
    return PeerConfigBinding.toConfig(peer, federation, robust, dp, admin, transport);
  }

  @Singleton
  LoginBackoff loginBackoff(AdminProperties admin) {
    return PeerConfigBinding.loginBackoff(admin);
  }

  /** Every {@code ipa.*} key a {@code @ConfigurationProperties} record of this application reads. */
  private static Set<String> knownKeys(BeanContext beans) {
    Set<String> known = new TreeSet<>();
    for (BeanDefinition<?> d : beans.getBeanDefinitions(Qualifiers.byStereotype(ConfigurationReader.class))) {
      String prefix = d.stringValue(ConfigurationReader.class, ConfigurationReader.PREFIX).orElse("");
      if (prefix.equals("ipa") || prefix.startsWith("ipa.")) known.addAll(PeerConfigBinding.keysOf(d.getBeanType(), prefix));
    }
    return known;
  }

  /**
   * The {@code ipa.*} keys set in files, arguments and system properties. Environment variables are left out:
   * Micronaut spreads {@code IPA_PEER_TLS_DIR} over several spellings, and only one of them is a key.
   */
  private static List<String> configuredKeys(Environment env) {
    List<String> keys = new ArrayList<>();
    for (PropertySource source : env.getPropertySources()) {
      if (source.getName().equals(EnvironmentPropertySource.NAME)) continue;
      for (String key : source) if (key.startsWith("ipa.")) keys.add(key);
    }
    return keys;
  }
}
