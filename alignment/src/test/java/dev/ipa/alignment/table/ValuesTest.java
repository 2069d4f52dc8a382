package dev.ipa.alignment.table;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ValuesTest {
  @Property
  void thePlainDecimalFastPathAgreesWithParseDouble(@ForAll @DoubleRange(min = -1e9, max = 1e9) double v, @ForAll @IntRange(min = 0, max = 8) int places) {
    String text = java.math.BigDecimal.valueOf(v).setScale(places, java.math.RoundingMode.HALF_UP).toPlainString();
    assertThat(Values.parse(text)).isEqualTo(Double.parseDouble(text));
  }

  @Test
  void numbersAndNonNumbers() {
    assertThat(Values.parse("1e3")).isEqualTo(1000.0);
    assertThat(Values.parse(" 7 ")).isEqualTo(7.0);
    assertThat(Values.parse("-.5")).isEqualTo(-0.5);
    assertThat(Values.parse("1234567890123456789")).isEqualTo(1.234567890123456789e18);
    for (String no : new String[] {"abc", "1,5", "Infinity", "1f", "0x10", "1.2.3", "-", "."}) assertThat(Values.parse(no)).as(no).isNaN();
    for (String m : new String[] {"", "  ", "NA", "na", " NaN ", "?", "NULL", "null"}) assertThat(Values.isMissing(m)).as(m).isTrue();
    for (String m : new String[] {"0", "N/A2", "none", "nan1"}) assertThat(Values.isMissing(m)).as(m).isFalse();
  }
}
