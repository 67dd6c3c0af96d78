package dev.capnp.dynamic;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Formats floating-point numbers exactly as the Cap'n Proto C++ library (kj) does: C's
 * {@code %.15g} (floats: {@code %.6g}), widened to 17 (floats: 9) significant digits when the
 * short form does not read back as the same value, with {@code +} signs removed from exponents.
 * Infinities and NaN print as {@code inf}, {@code -inf} and {@code nan}.
 */
final class FloatFormat {
  private FloatFormat() {}

  /** Formats a {@code Float64} value. */
  static String formatDouble(double value) {
    String special = special(value);
    if (special != null) {
      return special;
    }
    String s = formatG(value, 15);
    if (Double.parseDouble(s) != value) {
      s = formatG(value, 17);
    }
    return s;
  }

  /** Formats a {@code Float32} value. */
  static String formatFloat(float value) {
    String special = special(value);
    if (special != null) {
      return special;
    }
    String s = formatG(value, 6);
    float parsed = Float.parseFloat(s);
    // kj's safe_strtof() also rejects results that set ERANGE (subnormal or overflowing results).
    boolean range = Float.isInfinite(parsed) || (parsed != 0 && Math.abs(parsed) < Float.MIN_NORMAL);
    if (parsed != value || range) {
      s = formatG(value, 8);
    }
    return s;
  }

  private static String special(double value) {
    if (Double.isNaN(value)) {
      return "nan";
    }
    if (value == Double.POSITIVE_INFINITY) {
      return "inf";
    }
    if (value == Double.NEGATIVE_INFINITY) {
      return "-inf";
    }
    return null;
  }

  /** C's {@code %.<precision>g} without a {@code +} in the exponent. */
  static String formatG(double value, int precision) {
    if (value == 0) {
      return (Double.doubleToRawLongBits(value) < 0) ? "-0" : "0";
    }
    BigDecimal rounded = new BigDecimal(value).round(new MathContext(precision, RoundingMode.HALF_EVEN));
    String digits = rounded.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - rounded.scale();
    StringBuilder out = new StringBuilder(24);
    if (rounded.signum() < 0) {
      out.append('-');
    }
    int end = digits.length();
    while (end > 1 && digits.charAt(end - 1) == '0') {
      end--;
    }
    if (exponent < -4 || exponent >= precision) {
      out.append(digits.charAt(0));
      if (end > 1) {
        out.append('.').append(digits, 1, end);
      }
      out.append('e');
      int abs = Math.abs(exponent);
      if (exponent < 0) {
        out.append('-');
      }
      if (abs < 10) {
        out.append('0');
      }
      out.append(abs);
    } else if (exponent < 0) {
      out.append("0.");
      for (int i = -1; i > exponent; i--) {
        out.append('0');
      }
      out.append(digits, 0, end);
    } else {
      int intDigits = exponent + 1;
      if (end <= intDigits) {
        out.append(digits, 0, end);
        for (int i = end; i < intDigits; i++) {
          out.append('0');
        }
      } else {
        out.append(digits, 0, intDigits).append('.').append(digits, intDigits, end);
      }
    }
    return out.toString();
  }
}
