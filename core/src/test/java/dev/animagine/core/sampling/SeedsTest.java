package dev.animagine.core.sampling;

import dev.animagine.core.InvalidArgumentException;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SeedsTest {
    @Test
    void parsesUnsigned64BitSeeds() {
        assertThat(Seeds.resolve("42")).isEqualTo(42);
        assertThat(Seeds.resolve(" 4294967338 ")).isEqualTo(4294967338L);
        long max = Seeds.resolve("18446744073709551615");
        assertThat(Seeds.format(max)).isEqualTo("18446744073709551615");
        assertThat(new TorchGenerator(max).rand(3)).containsExactly(new TorchGenerator(4294967295L).rand(3));
    }

    @Test
    void minusOnePicksARandomSeedBelow2To32() {
        SplittableRandom r = new SplittableRandom(7);
        long a = Seeds.resolve("-1", r), b = Seeds.resolve("-1", r);
        assertThat(a).isBetween(0L, (1L << 32) - 1);
        assertThat(b).isBetween(0L, (1L << 32) - 1).isNotEqualTo(a);
        assertThat(Seeds.resolve("-1", new SplittableRandom(7))).isEqualTo(a);
    }

    @Test
    void badSeedsAreUsageErrors() {
        assertThatThrownBy(() -> Seeds.resolve("abc")).isInstanceOf(InvalidArgumentException.class)
                .hasMessage("seed 'abc' is not an integer");
        assertThatThrownBy(() -> Seeds.resolve("-2")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("seed -2 is out of range");
        assertThatThrownBy(() -> Seeds.resolve("18446744073709551616")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("out of range");
        assertThatThrownBy(() -> Seeds.resolve("")).isInstanceOf(InvalidArgumentException.class);
    }
}
