package dev.animagine.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.core.io.CheckpointOptions;
import dev.animagine.core.service.ImageRequest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * deepcache_interval and cfg_cutoff in the A1111 API (top level or in override_settings, top level
 * winning, never noted as ignored) and in the native job API; bad values are 422s naming the field.
 * No model is opened.
 */
class StepSavingsFieldsTest {
    private static final Limits LIMITS = new Limits(1 << 20, 1 << 16, 2048, 2048L * 2048, 150, 16, 20_000);

    private static ModelHost host() throws IOException {
        Path dir = Files.createTempDirectory("savings-models");
        Files.writeString(dir.resolve("model.safetensors"), "placeholder, never opened");
        dir.toFile().deleteOnExit();
        return new ModelHost(ModelCatalog.of(null, dir, null), CheckpointOptions.DEFAULT, null);
    }

    private static ObjectNode json(String s) {
        return Json.parseObject(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void a1111TakesTheFieldsAtTopLevelOrInOverrideSettings() throws IOException {
        A1111Mapping m = new A1111Mapping(host(), LIMITS);
        A1111Mapping.Mapped top = m.txt2img(json("{\"prompt\":\"a\",\"deepcache_interval\":3,\"cfg_cutoff\":0.5}"), Map.of());
        ImageRequest r = top.spec().request();
        assertThat(r.deepCacheInterval()).isEqualTo(3);
        assertThat(r.cfgCutoff()).isEqualTo(0.5);
        assertThat(top.spec().notes()).noneMatch(n -> n.contains("deepcache") || n.contains("cfg_cutoff"));

        A1111Mapping.Mapped inOverrides = m.txt2img(json("{\"prompt\":\"a\",\"override_settings\":{\"deepcache_interval\":2,\"cfg_cutoff\":0.25}}"), Map.of());
        assertThat(inOverrides.spec().request().deepCacheInterval()).isEqualTo(2);
        assertThat(inOverrides.spec().request().cfgCutoff()).isEqualTo(0.25);
        assertThat(inOverrides.spec().notes()).noneMatch(n -> n.contains("deepcache") || n.contains("cfg_cutoff"));

        ImageRequest both = m.txt2img(json("{\"prompt\":\"a\",\"deepcache_interval\":4,\"override_settings\":{\"deepcache_interval\":2}}"), Map.of())
                .spec().request();
        assertThat(both.deepCacheInterval()).isEqualTo(4);

        ImageRequest none = m.txt2img(json("{\"prompt\":\"a\"}"), Map.of()).spec().request();
        assertThat(none.deepCacheInterval()).isZero();
        assertThat(none.cfgCutoff()).isEqualTo(1.0);

        assertThatThrownBy(() -> m.txt2img(json("{\"deepcache_interval\":-1}"), Map.of()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.field()).isEqualTo("deepcache_interval"));
        assertThatThrownBy(() -> m.txt2img(json("{\"cfg_cutoff\":1.5}"), Map.of()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.field()).isEqualTo("cfg_cutoff"));
        assertThatThrownBy(() -> m.img2img(json("{\"override_settings\":{\"cfg_cutoff\":\"x\"}}"), Map.of()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.field()).isEqualTo("cfg_cutoff"));
    }

    @Test
    void nativeJobsTakeTheFields() throws IOException {
        ModelHost host = host();
        ImageRequest r = NativeRequests.parse(json("{\"prompt\":\"a\",\"deepcache_interval\":3,\"cfg_cutoff\":0}"), host, LIMITS).request();
        assertThat(r.deepCacheInterval()).isEqualTo(3);
        assertThat(r.cfgCutoff()).isZero();
        assertThatThrownBy(() -> NativeRequests.parse(json("{\"deepcache_interval\":2.5}"), host, LIMITS))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.field()).isEqualTo("deepcache_interval"));
        assertThatThrownBy(() -> NativeRequests.parse(json("{\"cfg_cutoff\":-0.5}"), host, LIMITS))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.field()).isEqualTo("cfg_cutoff"));
    }
}
