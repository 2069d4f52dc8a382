package dev.ipa.transport.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLException;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Loads one peer's {@link TlsFiles} and builds the Netty {@link SslContext}s for mutual TLS 1.3: the server side
 * (accepting, client certificate required) and the client side (dialing). Both trust only the federation CA.
 *
 * <p>Everything is checked when loading, so a bad file fails at start-up with one sentence naming the file, not
 * during a handshake: unreadable or malformed PEM, a key that does not match the certificate, a certificate not
 * signed by the CA, an expired certificate.
 *
 * <p>Immutable and thread-safe once built.
 */
public final class FederationTls {
  private static final List<String> PROTOCOLS = List.of("TLSv1.3");
  private static final String REGENERATE = "; regenerate with ./ipa certs";

  private final X509Certificate certificate;
  private final PrivateKey key;
  private final X509Certificate ca;
  private final SslContext server;
  private final SslContext client;

  private FederationTls(X509Certificate certificate, PrivateKey key, X509Certificate ca, SslContext server, SslContext client) {
    this.certificate = certificate;
    this.key = key;
    this.ca = ca;
    this.server = server;
    this.client = client;
  }

  /** Reads and checks {@code files}; throws {@link TlsMaterialException} with one actionable sentence if unusable. */
  public static FederationTls load(TlsFiles files) {
    X509Certificate ca = readCertificate(files.caCertificate());
    X509Certificate cert = readCertificate(files.certificate());
    PrivateKey key = readPrivateKey(files.privateKey());
    if (!keyMatches(key, cert)) {
      throw new TlsMaterialException(files.privateKey().getFileName() + " does not match "
          + files.certificate().getFileName() + " in " + parent(files.privateKey()) + REGENERATE + ".");
    }
    try {
      cert.verify(ca.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new TlsMaterialException(files.certificate() + " was not signed by the federation CA in "
          + files.caCertificate() + REGENERATE + ".", e);
    }
    try {
      cert.checkValidity();
    } catch (CertificateException e) {
      throw new TlsMaterialException(files.certificate() + " is expired or not yet valid (valid "
          + cert.getNotBefore() + " to " + cert.getNotAfter() + ")" + REGENERATE + ".", e);
    }
    try {
      SslContext server = SslContextBuilder.forServer(key, cert)
          .sslProvider(SslProvider.JDK).protocols(PROTOCOLS).trustManager(ca).clientAuth(ClientAuth.REQUIRE).build();
      SslContext client = SslContextBuilder.forClient()
          .sslProvider(SslProvider.JDK).protocols(PROTOCOLS).keyManager(key, cert).trustManager(ca).build();
      return new FederationTls(cert, key, ca, server, client);
    } catch (SSLException e) {
      throw new TlsMaterialException("TLS 1.3 could not be set up with " + files.certificate() + ": " + e.getMessage(), e);
    }
  }

  /** Context for connections this peer accepts; requires the client's certificate. */
  public SslContext serverContext() {
    return server;
  }

  /** Context for connections this peer dials. */
  public SslContext clientContext() {
    return client;
  }

  /** The local peer's identity as its certificate states it. */
  public String localIdentity() {
    return identity(certificate);
  }

  /**
   * The federation the local certificate was issued for: its subject O, as {@code ./ipa certs} writes it; null if
   * the certificate has no O (certificates from another tool), which the caller then cannot check.
   */
  public String localFederation() {
    X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    for (RDN rdn : subject.getRDNs(BCStyle.O)) {
      return IETFUtils.valueToString(rdn.getFirst().getValue());
    }
    return null;
  }

  /**
   * The peer's key and certificate chain (its certificate, then the federation CA) as an in-memory PKCS#12 key store
   * under the alias {@code peer}, for a server that takes a {@link KeyStore} rather than PEM files: the daemon's
   * admin HTTPS port. Nothing is written to disk. A new store on every call.
   */
  public KeyStore keyStore(char[] password) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("peer", key, password, new Certificate[] {certificate, ca});
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw new TlsMaterialException("The key of " + localIdentity() + " cannot be put into a PKCS#12 key store: " + e.getMessage(), e);
    }
  }

  public X509Certificate caCertificate() {
    return ca;
  }

  /**
   * A peer's identity: the subject CN of its certificate, or, if the subject has no CN, its first DNS subject
   * alternative name; null if it has neither.
   */
  public static String identity(X509Certificate cert) {
    X500Name subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
    for (RDN rdn : subject.getRDNs(BCStyle.CN)) {
      return IETFUtils.valueToString(rdn.getFirst().getValue());
    }
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (Integer.valueOf(2).equals(san.get(0))) return (String) san.get(1);
        }
      }
    } catch (CertificateParsingException e) {
      return null;
    }
    return null;
  }

  static X509Certificate readCertificate(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      CertificateFactory f = CertificateFactory.getInstance("X.509");
      return (X509Certificate) f.generateCertificate(in);
    } catch (IOException e) {
      throw new TlsMaterialException("Cannot read certificate " + file + " (" + e.getMessage() + ")" + REGENERATE + ".", e);
    } catch (CertificateException | ClassCastException e) {
      throw new TlsMaterialException(file + " is not a PEM X.509 certificate" + REGENERATE + ".", e);
    }
  }

  static PrivateKey readPrivateKey(Path file) {
    Object parsed;
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
      parsed = p.readObject();
    } catch (IOException e) {
      throw new TlsMaterialException("Cannot read private key " + file + " (" + e.getMessage() + ")" + REGENERATE + ".", e);
    }
    try {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (parsed instanceof PrivateKeyInfo info) return converter.getPrivateKey(info);
      if (parsed instanceof PEMKeyPair pair) return converter.getPrivateKey(pair.getPrivateKeyInfo());
    } catch (PEMException e) {
      throw new TlsMaterialException(file + " holds a private key of an unsupported type" + REGENERATE + ".", e);
    }
    throw new TlsMaterialException(file + " is not an unencrypted PEM private key" + REGENERATE + ".");
  }

  private static boolean keyMatches(PrivateKey key, X509Certificate cert) {
    try {
      String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256with" + key.getAlgorithm();
      byte[] probe = new byte[32];
      new SecureRandom().nextBytes(probe);
      Signature s = Signature.getInstance(algorithm);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(algorithm);
      v.initVerify(cert.getPublicKey());
      v.update(probe);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static Path parent(Path p) {
    Path abs = p.toAbsolutePath().getParent();
    return abs == null ? p : abs;
  }

}
