package dev.ipa.transport.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Creates the TLS material of a federation: one CA and, per peer, a key pair and a certificate signed by that CA.
 *
 * <pre>
 * outDir/
 *   ca.crt            federation CA certificate (distribute freely)
 *   ca.key            federation CA key: keep offline, never distribute
 *   &lt;peer&gt;/peer.crt    CN=peer, SAN DNS:peer, DNS:localhost, IP:127.0.0.1, signed by the CA
 *   &lt;peer&gt;/peer.key    PKCS#8, owner-only permissions
 *   &lt;peer&gt;/ca.crt      copy of the CA certificate, the only thing the peer trusts
 * </pre>
 *
 * <p>Keys are EC P-256, signatures SHA256withECDSA; certificates are valid for {@link #VALIDITY}. A peer's identity
 * is its certificate's CN, which the transport compares with the peer id announced in the handshake.
 * Stateless and thread-safe.
 */
public final class FederationCertificates {
  public static final String CA_CERT = "ca.crt";
  public static final String CA_KEY = "ca.key";
  public static final String PEER_CERT = "peer.crt";
  public static final String PEER_KEY = "peer.key";
  public static final Duration VALIDITY = Duration.ofDays(825);

  /** Peer ids are DNS labels (they go into the certificate's SAN and name a directory). */
  private static final Pattern PEER_ID = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]{0,61}[A-Za-z0-9])?");

  private static final SecureRandom RANDOM = new SecureRandom();

  private FederationCertificates() {}

  /** Throws unless {@code peerId} can be a peer id: 1-63 letters, digits, '.' or '-', starting and ending alphanumeric. */
  public static String requireValidPeerId(String peerId) {
    if (peerId == null || !PEER_ID.matcher(peerId).matches()) {
      throw new IllegalArgumentException("Peer id '" + peerId
          + "' is not valid: use 1 to 63 letters, digits, '.' or '-', starting and ending with a letter or digit.");
    }
    return peerId;
  }

  /**
   * Writes a new CA and one certificate per peer under {@code outDir} (layout in the class comment). Existing files
   * are overwritten.
   */
  public static void generate(String federation, List<String> peers, Path outDir) throws IOException {
    Objects.requireNonNull(federation, "federation");
    if (federation.isBlank()) throw new IllegalArgumentException("The federation name must not be blank.");
    if (peers.isEmpty()) throw new IllegalArgumentException("A federation needs at least one peer to issue certificates for.");
    Set<String> unique = new HashSet<>();
    for (String p : peers) {
      requireValidPeerId(p);
      if (!unique.add(p)) throw new IllegalArgumentException("Peer id '" + p + "' is listed twice.");
    }
    try {
      Files.createDirectories(outDir);
      KeyPair caKeys = newKeyPair();
      X509Certificate ca = caCertificate(federation, caKeys);
      writePem(outDir.resolve(CA_CERT), "CERTIFICATE", ca.getEncoded(), false);
      writePem(outDir.resolve(CA_KEY), "PRIVATE KEY", caKeys.getPrivate().getEncoded(), true);
      for (String peer : peers) {
        Path dir = Files.createDirectories(outDir.resolve(peer));
        KeyPair keys = newKeyPair();
        X509Certificate cert = peerCertificate(federation, peer, keys, ca, caKeys.getPrivate());
        writePem(dir.resolve(PEER_CERT), "CERTIFICATE", cert.getEncoded(), false);
        writePem(dir.resolve(PEER_KEY), "PRIVATE KEY", keys.getPrivate().getEncoded(), true);
        writePem(dir.resolve(CA_CERT), "CERTIFICATE", ca.getEncoded(), false);
      }
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("This JVM cannot create EC P-256 certificates: " + e.getMessage(), e);
    }
  }

  /**
   * Signs a certificate for one more peer with the CA that {@code caDir} holds ({@link #CA_CERT} and
   * {@link #CA_KEY}, as {@link #generate} wrote them) and writes its folder {@code outDir/peer} (key, certificate,
   * CA copy). The federation name is taken from the CA, so the new peer joins the same federation and every
   * certificate handed out before stays valid.
   *
   * @throws IllegalArgumentException with one sentence if the CA is missing or unreadable, or the peer id is invalid
   */
  public static void addPeer(Path caDir, String peer, Path outDir) throws IOException {
    requireValidPeerId(peer);
    Path certFile = caDir.resolve(CA_CERT);
    Path keyFile = caDir.resolve(CA_KEY);
    if (!Files.isReadable(certFile) || !Files.isReadable(keyFile)) {
      throw new IllegalArgumentException(caDir + " does not hold " + CA_CERT + " and " + CA_KEY + "; point --ca at the directory './ipa certs' wrote.");
    }
    try {
      X509Certificate ca = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificate(new java.io.ByteArrayInputStream(pemBody(certFile)));
      PrivateKey caKey = java.security.KeyFactory.getInstance("EC").generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(pemBody(keyFile)));
      String federation = new X500Name(ca.getSubjectX500Principal().getName()).getRDNs(BCStyle.O)[0].getFirst().getValue().toString();
      Path dir = Files.createDirectories(outDir.resolve(peer));
      KeyPair keys = newKeyPair();
      X509Certificate cert = peerCertificate(federation, peer, keys, ca, caKey);
      writePem(dir.resolve(PEER_CERT), "CERTIFICATE", cert.getEncoded(), false);
      writePem(dir.resolve(PEER_KEY), "PRIVATE KEY", keys.getPrivate().getEncoded(), true);
      writePem(dir.resolve(CA_CERT), "CERTIFICATE", ca.getEncoded(), false);
    } catch (GeneralSecurityException | OperatorCreationException | RuntimeException e) {
      throw new IllegalArgumentException("The CA in " + caDir + " cannot sign a certificate (" + e.getMessage() + "); use the ca.crt and ca.key './ipa certs' wrote.", e);
    }
  }

  /** The DER bytes inside a PEM file (one object). */
  private static byte[] pemBody(Path file) throws IOException {
    StringBuilder b64 = new StringBuilder();
    for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) if (!line.startsWith("-----")) b64.append(line.strip());
    return java.util.Base64.getDecoder().decode(b64.toString());
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return g.generateKeyPair();
  }

  private static X509Certificate caCertificate(String federation, KeyPair keys)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    X500Name name = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, federation).addRDN(BCStyle.CN, federation + " federation CA").build();
    Instant now = Instant.now();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
        Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(VALIDITY)), name, keys.getPublic());
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
    return sign(b, keys.getPrivate());
  }

  private static X509Certificate peerCertificate(String federation, String peer, KeyPair keys, X509Certificate ca,
      PrivateKey caKey) throws GeneralSecurityException, OperatorCreationException, IOException {
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, federation).addRDN(BCStyle.CN, peer).build();
    Instant now = Instant.now();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial(),
        Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(VALIDITY)), subject, keys.getPublic());
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
    // Each peer is both TLS server (accepting) and TLS client (dialing).
    b.addExtension(Extension.extendedKeyUsage, false,
        new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
        new GeneralName(GeneralName.dNSName, peer),
        new GeneralName(GeneralName.dNSName, "localhost"),
        new GeneralName(GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress())}));
    b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
    b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
    return sign(b, caKey);
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
      throws OperatorCreationException, GeneralSecurityException {
    X509CertificateHolder holder = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key));
    return new JcaX509CertificateConverter().getCertificate(holder);
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static void writePem(Path file, String type, byte[] der, boolean secret) throws IOException {
    StringWriter text = new StringWriter();
    try (PemWriter w = new PemWriter(text)) {
      w.writeObject(new PemObject(type, der));
    }
    if (secret) {
      Files.deleteIfExists(file);
      Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(ownerOnly));
      } catch (UnsupportedOperationException notPosix) {
        Files.createFile(file);
      }
    }
    Files.writeString(file, text.toString(), StandardCharsets.US_ASCII);
  }
}
