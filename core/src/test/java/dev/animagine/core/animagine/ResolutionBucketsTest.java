package dev.animagine.core.animagine;

import dev.animagine.core.InvalidArgumentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The nine trained sizes (from the cards' resolution tables) and the choice of one by aspect. */
class ResolutionBucketsTest {

    @Test
    void theNineSizesOfTheCards() {
        assertThat(ResolutionBuckets.ALL).extracting(ImageSize::toString).containsExactlyInAnyOrder(
                "1024x1024", "1152x896", "896x1152", "1216x832", "832x1216", "1344x768", "768x1344", "1536x640", "640x1536");
        assertThat(ResolutionBuckets.ALL).allSatisfy(s -> assertThat(s.area()).isLessThanOrEqualTo(1024 * 1024));
    }

    /** Each bucket's own ratio (as the cards name it) picks that bucket. */
    @ParameterizedTest(name = "--aspect {0} -> {1}")
    @CsvSource({
            "1:1, 1024x1024", "9:7, 1152x896", "7:9, 896x1152", "19:13, 1216x832", "13:19, 832x1216",
            "7:4, 1344x768", "4:7, 768x1344", "12:5, 1536x640", "5:12, 640x1536",
            "square, 1024x1024", "portrait, 832x1216", "landscape, 1216x832", "2:3, 832x1216", "3:2, 1216x832",
    })
    void everyBucketByItsRatio(String aspect, String bucket) {
        assertThat(ResolutionBuckets.nearest(AspectRatio.parse(aspect).ratio())).hasToString(bucket);
    }

    /** Ratios between buckets go to the nearest in log-ratio; extremes go to the widest or tallest. */
    @ParameterizedTest(name = "--aspect {0} -> {1}")
    @CsvSource({
            "4:3, 1152x896", "3:4, 896x1152", "16:9, 1344x768", "9:16, 768x1344", "21:9, 1536x640",
            "9:21, 640x1536", "5:4, 1152x896", "10:1, 1536x640", "1:10, 640x1536", "1.85:1, 1344x768",
            "1.1:1, 1024x1024", "2:1, 1344x768", "2.2:1, 1536x640", "1920:1080, 1344x768", "1024/1024, 1024x1024",
    })
    void oddRatios(String aspect, String bucket) {
        assertThat(ResolutionBuckets.nearest(AspectRatio.parse(aspect).ratio())).hasToString(bucket);
    }

    @ParameterizedTest(name = "--aspect {0} is refused")
    @CsvSource({"2x3", "0:5", "5:0", "wide", "-1:2", "''"})
    void badAspects(String aspect) {
        assertThatThrownBy(() -> AspectRatio.parse(aspect)).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("--aspect");
    }

    @ParameterizedTest(name = "--size {0} is refused")
    @CsvSource({"1000x1001", "1024", "0x1024", "832x1210", "16384x8", "axb"})
    void badSizes(String size) {
        assertThatThrownBy(() -> ImageSize.parse(size)).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("--size " );
    }

    @Test
    void anyMultipleOf8IsAccepted() {
        assertThat(ImageSize.parse("64x64")).isEqualTo(new ImageSize(64, 64));
        assertThat(ImageSize.parse(" 1536 X 1536 ")).isEqualTo(new ImageSize(1536, 1536));
        assertThat(ResolutionBuckets.isTrained(new ImageSize(832, 1216))).isTrue();
        assertThat(ResolutionBuckets.isTrained(new ImageSize(1216, 1216))).isFalse();
    }
}
