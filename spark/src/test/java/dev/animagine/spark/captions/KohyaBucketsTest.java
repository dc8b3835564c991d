package dev.animagine.spark.captions;

import dev.animagine.core.InvalidArgumentException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Buckets worked out by hand from sd-scripts' BucketManager.select_bucket (bucket_no_upscale) and
 * model_util.make_bucket_resolutions, for max area 1024x1024 and steps of 64.
 */
class KohyaBucketsTest {
    private static final KohyaBuckets B = KohyaBuckets.SDXL;

    private static String bucket(int w, int h) {
        return B.select(w, h).toString();
    }

    @Test
    void imagesWithinTheAreaAreNeverUpscaledOnlyFlooredToSteps() {
        assertThat(bucket(1024, 1024)).isEqualTo("1024x1024"); // exactly the max area: kept
        assertThat(bucket(500, 300)).isEqualTo("448x256");
        assertThat(bucket(832, 1216)).isEqualTo("832x1216");
        assertThat(bucket(300, 200)).isEqualTo("256x192");
        assertThat(B.outOfRange(B.select(300, 200))).isTrue();
    }

    @Test
    void largerImagesShrinkToTheAreaKeepingTheBetterRoundedSide() {
        // 1000x1500: sqrt(1024^2 * 2/3) = 836.1 -> width 832 gives 832x1248 (aspect error 0.018), height
        // 1216 gives 811x1216 (0.035): width wins, 1248 floors to 1216.
        assertThat(bucket(1000, 1500)).isEqualTo("832x1216");
        assertThat(bucket(2048, 2048)).isEqualTo("1024x1024");
        assertThat(bucket(3000, 2000)).isEqualTo("1216x832");
        // 4000x500 (8:1): the height-rounded 2560x320 is exact; sd-scripts ignores max side 2048 here.
        assertThat(bucket(4000, 500)).isEqualTo("2560x320");
        assertThat(B.outOfRange(B.select(4000, 500))).isTrue();
    }

    @Test
    void withUpscalingThePredefinedBucketNearestInAspectIsUsed() {
        KohyaBuckets up = new KohyaBuckets(1024, 64, 256, 2048, false);
        assertThat(up.resolutions()).contains(new KohyaBuckets.Bucket(1024, 1024), new KohyaBuckets.Bucket(832, 1216),
                new KohyaBuckets.Bucket(1216, 832), new KohyaBuckets.Bucket(256, 2048), new KohyaBuckets.Bucket(2048, 256));
        assertThat(up.resolutions()).allMatch(b -> (long) b.width() * b.height() <= 1024L * 1024);
        assertThat(up.select(1000, 1500).toString()).isEqualTo("832x1216");
        assertThat(up.select(100, 100).toString()).isEqualTo("1024x1024");
        assertThat(up.select(832, 1216).toString()).isEqualTo("832x1216");
    }

    @Test
    void rejectsInconsistentParameters() {
        assertThatThrownBy(() -> new KohyaBuckets(1024, 64, 256, 512, true))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("max >= resolution");
    }
}
