package dev.capnp.dynamic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FloatFormatTest {
  @Test
  void doublesMatchKj() {
    // Expected strings are what `capnp eval` 0.9.2 prints for these Float64 values.
    double[] values = {1e100, 0.1, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
        Double.NaN, 3.4028234663852886e38, 1e-5, 1e-4, 123456789012345678.0, 1e15, 1e16, 0.3, 2.5,
        100, 1e-320, 5e-324, 1.7976931348623157e308};
    String[] expected = {"1e100", "0.1", "-0", "inf", "-inf", "nan", "3.4028234663852886e38",
        "1e-05", "0.0001", "1.2345678901234568e17", "1e15", "1e16", "0.3", "2.5", "100",
        "9.99988867182683e-321", "4.94065645841247e-324", "1.7976931348623157e308"};
    for (int i = 0; i < values.length; i++) {
      assertThat(FloatFormat.formatDouble(values[i])).as("value %s", values[i]).isEqualTo(expected[i]);
    }
  }

  @Test
  void floatsMatchKj() {
    float[] values = {Float.POSITIVE_INFINITY, 0.1f, -0.0f, Float.NaN, 3.4028234663852886e38f,
        1e-5f, 1e-4f, 123456789012345678f, 1e15f, 1e16f, 0.3f, 2.5f, 100f, 1.4e-45f, 1e-40f,
        1.17549435e-38f, 16777217f};
    String[] expected = {"inf", "0.1", "-0", "nan", "3.4028235e38", "1e-05", "0.0001",
        "1.2345679e17", "1e15", "1e16", "0.3", "2.5", "100", "1.4012985e-45", "9.9999461e-41",
        "1.1754944e-38", "16777216"};
    for (int i = 0; i < values.length; i++) {
      assertThat(FloatFormat.formatFloat(values[i])).as("value %s", values[i]).isEqualTo(expected[i]);
    }
  }

  @Test
  void generalFormatSwitchesToExponentAtPrecision() {
    assertThat(FloatFormat.formatG(123456, 6)).isEqualTo("123456");
    assertThat(FloatFormat.formatG(1234567, 6)).isEqualTo("1.23457e06");
    assertThat(FloatFormat.formatG(-0.000123456, 6)).isEqualTo("-0.000123456");
    assertThat(FloatFormat.formatG(999999.5, 6)).isEqualTo("1e06");
  }
}
