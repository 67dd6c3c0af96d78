package dev.capnp.net.transport;

import dev.capnp.net.AuthDigest;
import dev.capnp.net.SecretKey;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS for a vat (spec section 2): a self-signed certificate made at start-up from the vat key
 * (CN=capnp, v3, no extensions, valid 1970-01-01T01:01:01Z to 9999-12-31T23:59:59Z, 10-byte
 * random positive serial), TLS 1.3/1.2. Servers require a client certificate and accept any key;
 * clients pin the server by the URI's SHA-256 SPKI digest (no CA, name or expiry checks).
 *
 * <p>The TLS implementation ({@link #provider()}): OpenSSL (BoringSSL, Netty's
 * {@code netty-tcnative-boringssl-static}, a dependency of capnp-net for Linux x86-64) where its
 * native library loads, else the JDK's {@code SSLEngine}; {@code -Dcapnp.net.tlsProvider=jdk}
 * or {@code openssl} chooses one (an {@code openssl} that cannot load fails the vat's start).
 * BoringSSL encrypts and decrypts records at a fraction of the JDK engine's CPU cost, makes less
 * garbage per record and signs handshakes faster (issue 12: {@code benchmarks/README.md}, "TLS:
 * OpenSSL where it loads"). Both speak the same protocol, certificates and pins.
 *
 * <p>Level 3 announcement: a vat that takes part in three-party handoffs offers the TLS ALPN
 * protocol name {@link #LEVEL3_ALPN} as client and as server; a connection speaks Level 3 iff
 * the handshake negotiated it ({@link #level3Negotiated}), i.e. both vats offered it. On such a
 * connection each side's first message is its {@code VatHello} ({@code level3.capnp}: where it
 * can be reached), then the RPC messages. A peer that sends no ALPN extension (the C++
 * implementation, the OCaml seed, a vat with handoff off) gets none back and the connection is
 * exactly as before: no hello either way.
 */
public final class Tls {
  /**
   * The TLS ALPN protocol name by which a vat announces three-party handoff (Level 3 of the RPC
   * protocol with capnp-net's handoff values, {@code level3.capnp}): {@value}.
   */
  public static final String LEVEL3_ALPN = "capnp-java-level3";
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
  private static final Logger LOG = LoggerFactory.getLogger(Tls.class);
  /** The TLS implementation of every vat of this JVM (see the class comment). */
  private static final SslProvider PROVIDER = chooseProvider(
      System.getProperty("capnp.net.tlsProvider", "auto"));
  private final SecretKey key;
  private final X509Certificate certificate;
  private final SslContext server;
  private final boolean offerLevel3;
  private final SslProvider provider;

  /**
   * TLS contexts for {@code key} (makes the certificate now), not announcing Level 3.
   *
   * @param key the vat's key
   */
  public Tls(SecretKey key) {
    this(key, false);
  }

  /**
   * TLS contexts for {@code key} (makes the certificate now); with {@code offerLevel3} both
   * contexts offer the ALPN name {@link #LEVEL3_ALPN}.
   *
   * @param key the vat's key
   * @param offerLevel3 whether to announce three-party handoff
   */
  public Tls(SecretKey key, boolean offerLevel3) {
    this(key, offerLevel3, PROVIDER);
  }

  /**
   * TLS contexts for {@code key} on {@code provider} (tests: the two providers against each
   * other).
   */
  Tls(SecretKey key, boolean offerLevel3, SslProvider provider) {
    this.provider = provider;
    this.key = key;
    this.offerLevel3 = offerLevel3;
    this.certificate = selfSigned(key);
    try {
      SslContextBuilder b = SslContextBuilder.forServer(key.privateKey(), certificate)
          .sslProvider(provider)
          .protocols(PROTOCOLS)
          .clientAuth(ClientAuth.REQUIRE)
          .trustManager(new AnyClientKey());
      if (offerLevel3) {
        b.applicationProtocolConfig(level3Alpn());
      }
      this.server = b.build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  /**
   * The TLS implementation the vats of this JVM use: {@link SslProvider#OPENSSL} where Netty's
   * BoringSSL loads (and TLS 1.3 is there), else {@link SslProvider#JDK}, unless
   * {@code -Dcapnp.net.tlsProvider=jdk|openssl} says which.
   *
   * @return the provider
   */
  public static SslProvider provider() {
    return PROVIDER;
  }

  /**
   * The provider for the setting {@code choice} ({@code auto}, {@code jdk} or {@code openssl}).
   *
   * @param choice the value of {@code capnp.net.tlsProvider}
   * @return the provider
   * @throws IllegalStateException for {@code openssl} when it is not available, or an unknown
   *     choice
   */
  static SslProvider chooseProvider(String choice) {
    switch (choice) {
      case "jdk":
        return SslProvider.JDK;
      case "openssl": {
        String problem = openSslProblem();
        if (problem != null) {
          throw new IllegalStateException("capnp.net.tlsProvider=openssl, but OpenSSL cannot be"
              + " used here: " + problem);
        }
        return SslProvider.OPENSSL;
      }
      case "auto": {
        String problem = openSslProblem();
        if (problem == null) {
          return SslProvider.OPENSSL;
        }
        LOG.debug("TLS on the JDK's provider: OpenSSL cannot be used here ({})", problem);
        return SslProvider.JDK;
      }
      default:
        throw new IllegalStateException("capnp.net.tlsProvider must be auto, jdk or openssl: "
            + choice);
    }
  }

  /** Why Netty's OpenSSL cannot carry a vat's TLS here, or null if it can. */
  private static String openSslProblem() {
    try {
      if (!OpenSsl.isAvailable()) {
        return String.valueOf(OpenSsl.unavailabilityCause());
      }
      if (!SslProvider.isTlsv13Supported(SslProvider.OPENSSL)) {
        return "no TLS 1.3 in " + OpenSsl.versionString();
      }
      return SslProvider.isAlpnSupported(SslProvider.OPENSSL) ? null
          : "no ALPN in " + OpenSsl.versionString();
    } catch (LinkageError e) {
      return "netty-tcnative is not on the class path (" + e + ")";
    }
  }

  /**
   * The vat's self-signed certificate.
   *
   * @return the certificate
   */
  public X509Certificate certificate() {
    return certificate;
  }

  /**
   * The server context (client certificate required, any key accepted).
   *
   * @return the server context
   */
  public SslContext serverContext() {
    return server;
  }

  /**
   * A client context that accepts only a server whose key digest is {@code expected}.
   *
   * @param pin checks the server's key
   * @return the client context
   */
  public SslContext clientContext(PinningTrustManager pin) {
    try {
      SslContextBuilder b = SslContextBuilder.forClient()
          .sslProvider(provider)
          .protocols(PROTOCOLS)
          .keyManager(key.privateKey(), certificate)
          .trustManager(pin)
          // the server is identified by its key digest (the pin), not by a host name: Netty 4.2
          // turned host name checking on by default for clients
          .endpointIdentificationAlgorithm(null);
      if (offerLevel3) {
        b.applicationProtocolConfig(level3Alpn());
      }
      return b.build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  /**
   * Whether these contexts announce Level 3 ({@link #LEVEL3_ALPN}).
   *
   * @return {@code true} if both contexts offer the ALPN name
   */
  public boolean offersLevel3() {
    return offerLevel3;
  }

  /**
   * Whether the finished handshake of {@code ssl} negotiated {@link #LEVEL3_ALPN}: both ends
   * announced three-party handoff.
   *
   * @param ssl the TLS handler of a connection whose handshake succeeded
   * @return {@code true} if the connection speaks Level 3
   */
  public static boolean level3Negotiated(SslHandler ssl) {
    return LEVEL3_ALPN.equals(ssl.applicationProtocol());
  }

  /**
   * ALPN offering only {@link #LEVEL3_ALPN}; a peer offering none or others is not refused
   * (server: no protocol selected; client: the server's choice, or none, accepted).
   */
  private static ApplicationProtocolConfig level3Alpn() {
    return new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, LEVEL3_ALPN);
  }

  static X509Certificate selfSigned(SecretKey key) {
    try {
      X500Name name = new X500Name("CN=capnp");
      byte[] serial = new byte[10];
      new SecureRandom().nextBytes(serial);
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name,
          new BigInteger(1, serial),
          Date.from(Instant.parse("1970-01-01T01:01:01Z")),
          Date.from(Instant.parse("9999-12-31T23:59:59Z")),
          name, key.publicKey());
      String alg = key.privateKey().getAlgorithm().equals("RSA") ? "SHA256withRSA"
          : key.privateKey().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "Ed25519";
      ContentSigner signer = new JcaContentSignerBuilder(alg).build(key.privateKey());
      return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    } catch (OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot make the vat certificate: " + e.getMessage(), e);
    }
  }

  /** Accepts any client certificate (the peer's digest identifies it; spec section 2). */
  static final class AnyClientKey implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      if (chain == null || chain.length == 0) {
        throw new CertificateException("No client certificate found");
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("not a client trust manager");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  /**
   * Accepts exactly the server whose first certificate's public key has the expected digest;
   * remembers why it refused one.
   */
  public static final class PinningTrustManager implements X509TrustManager {
    private final AuthDigest expected;
    private volatile String failure;

    /**
     * Pins {@code expected}.
     *
     * @param expected the server's expected key fingerprint
     */
    public PinningTrustManager(AuthDigest expected) {
      this.expected = expected;
    }

    /**
     * Why the server was refused, or null.
     *
     * @return the reason, or {@code null} if no server was refused
     */
    public String failure() {
      return failure;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      if (chain == null || chain.length == 0) {
        failure = "Server sent no certificate";
        throw new CertificateException(failure);
      }
      if (!expected.matches(chain[0].getPublicKey())) {
        failure = "Server's public key fingerprint "
            + AuthDigest.ofPublicKey(chain[0].getPublicKey())
            + " does not match the expected " + expected;
        throw new CertificateException(failure);
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("not a server trust manager");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
