package dev.ipa.peer.api;

import dev.ipa.peer.config.PeerConfig;
import dev.ipa.transport.tls.FederationTls;
import dev.ipa.transport.tls.TlsFiles;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.io.ResourceResolver;
import io.micronaut.http.server.HttpServerConfiguration;
import io.micronaut.http.server.netty.ssl.CertificateProvidedSslBuilder;
import io.micronaut.http.ssl.ServerSslConfiguration;
import io.micronaut.http.ssl.SslConfiguration;
import io.micronaut.http.ssl.SslConfigurationException;
import jakarta.inject.Singleton;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;

/**
 * HTTPS for the admin port with the peer's own certificate files, when {@code ipa.admin.tls: true}: the key and
 * certificate of {@code ipa.peer.tls-dir} ({@code peer.key}, {@code peer.crt}, signed by the federation CA in
 * {@code ca.crt}), so an organisation provisions one set of files for both ports. The certificate names the peer,
 * {@code localhost} and {@code 127.0.0.1}; a browser or {@code curl --cacert ca.crt} that trusts the federation
 * CA verifies it. Clients are not asked for a certificate: the admin logs in with its password, as over HTTP.
 *
 * <p>Micronaut's own TLS ({@code micronaut.server.ssl.*} with a key store) is replaced only when the switch is on;
 * {@code application.yml} turns {@code micronaut.server.ssl.enabled} on with it and serves HTTPS on
 * {@code micronaut.server.port}, so the admin port speaks TLS and nothing else. The key store exists only in
 * memory, under a random password. Built once at start-up; thread-safe.
 */
@Singleton
@Replaces(CertificateProvidedSslBuilder.class)
@Requires(property = "ipa.admin.tls", value = "true")
public final class AdminTls extends CertificateProvidedSslBuilder {
  private final KeyStore keyStore;
  private final char[] password;

  public AdminTls(HttpServerConfiguration server, ServerSslConfiguration ssl, ResourceResolver resources, PeerConfig config) {
    super(server, ssl, resources);
    this.password = randomPassword();
    this.keyStore = FederationTls.load(TlsFiles.inDirectory(config.tlsDir())).keyStore(password);
  }

  @Override
  protected Optional<KeyStore> getKeyStore(SslConfiguration ssl) {
    return Optional.of(keyStore);
  }

  @Override
  protected Optional<KeyStore> getTrustStore(SslConfiguration ssl) {
    return Optional.empty();
  }

  @Override
  protected KeyManagerFactory getKeyManagerFactory(SslConfiguration ssl) {
    try {
      KeyManagerFactory f = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      f.init(keyStore, password);
      return f;
    } catch (GeneralSecurityException e) {
      throw new SslConfigurationException(e);
    }
  }

  private static char[] randomPassword() {
    SecureRandom random = new SecureRandom();
    char[] p = new char[24];
    for (int i = 0; i < p.length; i++) p[i] = (char) ('a' + random.nextInt(26));
    return p;
  }
}
