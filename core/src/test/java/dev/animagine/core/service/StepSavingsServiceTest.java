package dev.animagine.core.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.InvalidRequestException;
import dev.animagine.core.infotext.PngParameters;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * DeepCache and the CFG cutoff through the service: they change the image, the infotext names them
 * ("DeepCache: 3", "CFG cutoff: 0.5"), and the pasted infotext makes the same image again (both modes);
 * bad values name the request field.
 */
class StepSavingsServiceTest {
    @Test
    void savingsAreRecordedAndTheInfotextRedoesTheImage() {
        JsonNode c = Fixtures.cases("pipeline").stream()
                .filter(x -> x.get("pipeline_args").get("guidance_scale").asDouble() > 1 && x.get("pipeline_args").get("num_inference_steps").asInt() >= 4)
                .findFirst().orElseThrow();
        try (GenerationService service = GenerationServiceTest.service(c.get("model").get("path").asText())) {
            for (Compat compat : Compat.values()) {
                ImageRequest.Builder base = GenerationServiceTest.request(c).toBuilder().compat(compat);
                if (compat == Compat.A1111) base.sampler("euler_a").rng("cpu");
                ImageRequest plain = base.build();
                ImageRequest saving = base.deepCacheInterval(3).cfgCutoff(0.5).build();
                GeneratedImage a = service.generate(saving, RunControl.silent()).images().getFirst();
                GeneratedImage p = service.generate(plain, RunControl.silent()).images().getFirst();
                assertThat(a.parameters()).as(compat.name()).contains("DeepCache: 3").contains("CFG cutoff: 0.5");
                assertThat(p.parameters()).doesNotContain("DeepCache").doesNotContain("CFG cutoff");
                assertThat(a.result().latents().data()).isNotEqualTo(p.result().latents().data());

                ImageRequest pasted = ParametersRequest.apply(PngParameters.fromText(a.parameters()), ImageRequest.builder().build(),
                        Set.of(), null, Map.of()).request();
                assertThat(pasted.deepCacheInterval()).isEqualTo(3);
                assertThat(pasted.cfgCutoff()).isEqualTo(0.5);
                GeneratedImage again = service.generate(pasted, RunControl.silent()).images().getFirst();
                assertThat(again.result().latents().data()).as(compat.name()).isEqualTo(a.result().latents().data());
            }
        }
    }

    @Test
    void badValuesNameTheField() {
        assertThatThrownBy(() -> ImageRequest.builder().deepCacheInterval(-1).build().validate())
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("deepCacheInterval"))
                .hasMessage("deepCacheInterval must be at least 1 (0 = off; got -1)");
        for (double bad : new double[] {-0.1, 1.5, Double.NaN})
            assertThatThrownBy(() -> ImageRequest.builder().cfgCutoff(bad).build().validate())
                    .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("cfgCutoff"));
        assertThat(ImageRequest.builder().build().deepCacheInterval()).isZero();
        assertThat(ImageRequest.builder().build().cfgCutoff()).isEqualTo(1.0);
    }
}
