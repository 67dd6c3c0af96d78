package dev.capnp.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DecoderException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** What a vat's log says of a failed TLS handshake (OpenSSL's error texts said plainly). */
class TlsFailureTextTest {
  @Test
  void anAlertFromThePeerIsNamedAndExplained() {
    String text = Vat.describeTlsFailure(new DecoderException(new SSLHandshakeException(
        "error:10000438:SSL routines:OPENSSL_internal:TLSV1_ALERT_INTERNAL_ERROR")));
    assertThat(text).startsWith("SSLHandshakeException: error:10000438:")
        .endsWith("(the peer ended the handshake with the alert \"internal error\"; a vat client"
            + " sends one when this vat's key is not the one its URI names)");
    assertThat(Vat.explainOpenSslError(
        "error:10000416:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_UNKNOWN"))
        .startsWith("the peer ended the handshake with the alert \"certificate unknown\"");
  }

  @Test
  void aClientWithoutCertificateIsSaidSo() {
    assertThat(Vat.explainOpenSslError(
        "error:100000c0:SSL routines:OPENSSL_internal:PEER_DID_NOT_RETURN_A_CERTIFICATE"))
        .isEqualTo("the client sent no certificate; vats require one");
  }

  @Test
  void otherFailuresAreLeftAsTheyAre() {
    assertThat(Vat.explainOpenSslError("Received fatal alert: certificate_unknown")).isNull();
    assertThat(Vat.describeTlsFailure(new SSLHandshakeException("no cipher suites in common")))
        .isEqualTo("SSLHandshakeException: no cipher suites in common");
  }
}
