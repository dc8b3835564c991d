package dev.animagine.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.service.AnimagineSettings;
import dev.animagine.core.service.GeneratedImage;
import dev.animagine.core.service.ImageRequest;
import dev.animagine.core.service.RunControl;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static dev.animagine.server.A1111ContractTest.error;
import static dev.animagine.server.A1111ContractTest.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The /sdapi/v1 API takes every A1111 sampler and schedule type the engine has, with A1111's names,
 * aliases and pre-1.9 combined names, lists them in A1111's shapes, and writes A1111's names back.
 */
class A1111SamplersContractTest {
    static final TestServer S = TestServer.get();

    /** A1111 1.10's sampler names (sd_samplers_kdiffusion, _timesteps, _lcm) that the engine implements. */
    static final List<String> A1111_SAMPLERS = List.of("Euler a", "Euler", "LMS", "Heun", "DPM2", "DPM2 a", "DPM++ 2S a", "DPM++ 2M",
            "DPM++ SDE", "DPM++ 2M SDE", "DPM++ 2M SDE Heun", "DPM++ 3M SDE", "Restart", "LCM", "DDIM", "UniPC");
    /** A1111 1.10's schedulers (modules/sd_schedulers.py): name → label. */
    static final List<String> A1111_SCHEDULER_NAMES = List.of("automatic", "uniform", "karras", "exponential", "polyexponential",
            "sgm_uniform", "kl_optimal", "align_your_steps", "simple", "normal", "ddim", "beta");
    static final List<String> A1111_SCHEDULER_LABELS = List.of("Automatic", "Uniform", "Karras", "Exponential", "Polyexponential",
            "SGM Uniform", "KL Optimal", "Align Your Steps", "Simple", "Normal", "DDIM", "Beta");

    @BeforeEach
    void idle() {
        S.awaitIdle();
    }

    private static JsonNode txt2img(String fields) {
        return ok(S.post("/sdapi/v1/txt2img", "{\"prompt\":\"1girl, solo\",\"steps\":3,\"width\":64,\"height\":64,\"seed\":77," + fields + "}"));
    }

    private static JsonNode info(JsonNode answer) {
        return TestServer.json(new A1111ContractTest.Fake(answer.get("info").asText()));
    }

    private static String infotext(JsonNode answer) {
        return info(answer).get("infotexts").get(0).asText();
    }

    @Test
    void dpmpp2mSdeOnKarrasIsWrittenWithA1111sNamesAndMatchesTheEngine() {
        JsonNode r = txt2img("\"sampler_name\":\"DPM++ 2M SDE\",\"scheduler\":\"Karras\"");
        JsonNode info = info(r);
        byte[] png = Base64.getDecoder().decode(r.get("images").get(0).asText());
        String parameters = PngText.read(png).get("parameters");
        assertThat(parameters).contains("Sampler: DPM++ 2M SDE, Schedule type: Karras");
        assertThat(info.get("sampler_name").asText()).isEqualTo("DPM++ 2M SDE");
        assertThat(info.get("extra_generation_params").get("Schedule type").asText()).isEqualTo("Karras");

        // the same request made through the engine entry point every front end uses, on the server's loaded model
        ImageRequest same = ImageRequest.builder().prompt("1girl, solo").negativePrompt("").animagine(AnimagineSettings.NONE).verbatim(true)
                .size(64, 64).steps(3).cfgScale(A1111Mapping.DEFAULT_CFG).sampler("DPM++ 2M SDE").schedule("Karras").seed(77).batchCount(1)
                .emphasis("Original").clipSkip(1).build();
        GeneratedImage engine = S.server.host().withService(s -> s.generate(same, RunControl.silent()).images().getFirst());
        assertThat(engine.parameters()).isEqualTo(parameters);
        assertThat(png).isEqualTo(engine.png());
    }

    @Test
    void oldCombinedNamesAndAliasesCarryTheirSchedule() {
        assertThat(infotext(txt2img("\"sampler_name\":\"DPM++ SDE Karras\""))).contains("Sampler: DPM++ SDE, Schedule type: Karras");
        // the combined name wins over a separate scheduler, as in A1111's get_sampler_and_scheduler
        assertThat(infotext(txt2img("\"sampler_name\":\"DPM++ 2M SDE Karras\",\"scheduler\":\"Automatic\"")))
                .contains("Sampler: DPM++ 2M SDE, Schedule type: Karras");
        // A1111's alias through the older field; Automatic = the sampler's own default (Exponential for 2M SDE)
        JsonNode alias = txt2img("\"sampler_index\":\"k_dpmpp_2m_sde\"");
        assertThat(infotext(alias)).contains("Sampler: DPM++ 2M SDE, Schedule type: Exponential");
        assertThat(info(alias).get("sampler_name").asText()).isEqualTo("DPM++ 2M SDE");
        // a sampler on the model's own sigmas: no Schedule type, in the infotext and in info
        JsonNode euler = txt2img("\"sampler_name\":\"Euler a\"");
        assertThat(infotext(euler)).contains("Sampler: Euler a").doesNotContain("Schedule type");
        assertThat(info(euler).get("extra_generation_params").has("Schedule type")).isFalse();
        // any schedule type with any sampler, as A1111 allows
        assertThat(infotext(txt2img("\"sampler_name\":\"Euler a\",\"scheduler\":\"karras\""))).contains("Sampler: Euler a, Schedule type: Karras");
    }

    @Test
    void heunOnAlignYourSteps() {
        JsonNode r = txt2img("\"sampler_name\":\"Heun\",\"scheduler\":\"Align Your Steps\"");
        assertThat(infotext(r)).contains("Sampler: Heun, Schedule type: Align Your Steps");
        assertThat(info(r).get("extra_generation_params").get("Schedule type").asText()).isEqualTo("Align Your Steps");
    }

    @Test
    void everyListedSamplerAndSchedulerIsAccepted() {
        JsonNode samplers = ok(S.get("/sdapi/v1/samplers"));
        for (JsonNode s : samplers) {
            String name = s.get("name").asText();
            assertThat(infotext(txt2img("\"send_images\":false,\"sampler_name\":\"" + name + "\""))).as(name).contains("Sampler: " + name + ",");
        }
        JsonNode schedulers = ok(S.get("/sdapi/v1/schedulers"));
        for (JsonNode t : schedulers) {
            String label = t.get("label").asText();
            // the UI sends the name, scripts often the label: both work
            for (String given : List.of(t.get("name").asText(), label)) {
                String text = infotext(txt2img("\"send_images\":false,\"sampler_name\":\"Euler\",\"scheduler\":\"" + given + "\""));
                if (label.equals("Automatic")) assertThat(text).as(given).doesNotContain("Schedule type");
                else assertThat(text).as(given).contains("Sampler: Euler, Schedule type: " + label);
            }
        }
    }

    @Test
    void unknownNamesAnswer422NamingTheFieldAndListingTheNames() {
        JsonNode e = error(S.post("/sdapi/v1/txt2img", "{\"sampler_name\":\"DPM++ 4M Turbo\",\"steps\":1}"), 422, "sampler_name");
        assertThat(e.get("detail").asText()).contains("DPM++ 4M Turbo", "DPM++ 2M SDE", "Restart", "LCM", "UniPC");
        error(S.post("/sdapi/v1/txt2img", "{\"sampler_index\":\"k_nope\",\"steps\":1}"), 422, "sampler_index");
        JsonNode s = error(S.post("/sdapi/v1/txt2img", "{\"sampler_name\":\"Euler\",\"scheduler\":\"Zigzag\",\"steps\":1}"), 422, "scheduler");
        assertThat(s.get("detail").asText()).contains("Zigzag", "Align Your Steps", "KL Optimal");
    }

    @Test
    void samplersAndSchedulersAreListedInA1111sShape() {
        JsonNode samplers = ok(S.get("/sdapi/v1/samplers"));
        List<String> names = new ArrayList<>();
        samplers.forEach(s -> names.add(s.get("name").asText()));
        assertThat(names).containsExactlyInAnyOrderElementsOf(A1111_SAMPLERS);
        for (JsonNode s : samplers) {
            assertThat(s.fieldNames()).toIterable().containsExactly("name", "aliases", "options");
            assertThat(s.get("aliases").isArray()).isTrue();
            s.get("options").forEach(v -> assertThat(v.isTextual()).as(s.toString()).isTrue()); // A1111's dict[str, str]
        }
        // values from A1111 1.10's samplers_k_diffusion
        assertThat(sampler(samplers, "Euler a").toString())
                .isEqualTo("{\"name\":\"Euler a\",\"aliases\":[\"k_euler_a\",\"k_euler_ancestral\"],\"options\":{\"uses_ensd\":\"True\"}}");
        assertThat(sampler(samplers, "DPM++ 2M").get("options").toString()).isEqualTo("{\"scheduler\":\"karras\"}");
        assertThat(sampler(samplers, "DPM++ SDE").get("options").toString())
                .isEqualTo("{\"scheduler\":\"karras\",\"second_order\":\"True\",\"brownian_noise\":\"True\"}");
        assertThat(sampler(samplers, "DPM++ 2M SDE").get("aliases").toString()).isEqualTo("[\"k_dpmpp_2m_sde\"]");
        assertThat(sampler(samplers, "DPM++ 2M SDE Heun").get("options").toString())
                .isEqualTo("{\"scheduler\":\"exponential\",\"brownian_noise\":\"True\",\"solver_type\":\"heun\"}");
        assertThat(sampler(samplers, "DPM++ 3M SDE").get("options").toString())
                .isEqualTo("{\"scheduler\":\"exponential\",\"discard_next_to_last_sigma\":\"True\",\"brownian_noise\":\"True\"}");
        assertThat(sampler(samplers, "DPM2 a").get("options").toString()).isEqualTo(
                "{\"scheduler\":\"karras\",\"discard_next_to_last_sigma\":\"True\",\"uses_ensd\":\"True\",\"second_order\":\"True\"}");
        assertThat(sampler(samplers, "Heun").get("options").toString()).isEqualTo("{\"second_order\":\"True\"}");
        assertThat(sampler(samplers, "Restart").toString())
                .isEqualTo("{\"name\":\"Restart\",\"aliases\":[\"restart\"],\"options\":{\"scheduler\":\"karras\",\"second_order\":\"True\"}}");
        assertThat(sampler(samplers, "LCM").toString()).isEqualTo("{\"name\":\"LCM\",\"aliases\":[\"k_lcm\"],\"options\":{}}");
        assertThat(sampler(samplers, "UniPC").toString()).isEqualTo("{\"name\":\"UniPC\",\"aliases\":[\"unipc\"],\"options\":{}}");

        JsonNode schedulers = ok(S.get("/sdapi/v1/schedulers"));
        assertThat(schedulers.findValuesAsText("name")).containsExactlyElementsOf(A1111_SCHEDULER_NAMES);
        assertThat(schedulers.findValuesAsText("label")).containsExactlyElementsOf(A1111_SCHEDULER_LABELS);
        for (JsonNode t : schedulers)
            assertThat(t.fieldNames()).toIterable().containsExactly("name", "label", "aliases", "default_rho", "need_inner_model");
        assertThat(schedulers.get(2).toString()).isEqualTo(
                "{\"name\":\"karras\",\"label\":\"Karras\",\"aliases\":null,\"default_rho\":7.0,\"need_inner_model\":false}");
        assertThat(schedulers.get(4).get("default_rho").asDouble()).isEqualTo(1.0);
        assertThat(schedulers.get(5).toString()).isEqualTo(
                "{\"name\":\"sgm_uniform\",\"label\":\"SGM Uniform\",\"aliases\":[\"SGMUniform\"],\"default_rho\":-1.0,\"need_inner_model\":true}");
        List<String> inner = new ArrayList<>();
        for (JsonNode t : schedulers) if (t.get("need_inner_model").asBoolean()) inner.add(t.get("name").asText());
        assertThat(inner).containsExactly("uniform", "sgm_uniform", "simple", "normal", "ddim", "beta");
    }

    private static JsonNode sampler(JsonNode samplers, String name) {
        for (JsonNode s : samplers) if (s.get("name").asText().equals(name)) return s;
        throw new AssertionError("no sampler " + name + " in " + samplers);
    }

    @Test
    void hiresTakesA1111SamplersAndSchedulers() {
        String hr = "\"enable_hr\":true,\"hr_scale\":1.5,\"hr_second_pass_steps\":3,\"denoising_strength\":0.6,";
        assertThat(infotext(txt2img(hr + "\"sampler_name\":\"Euler a\",\"hr_sampler_name\":\"DPM++ 2M\"")))
                .contains("Sampler: Euler a,", "Hires sampler: DPM++ 2M");
        assertThat(infotext(txt2img(hr + "\"sampler_name\":\"Euler a\",\"hr_sampler_name\":\"Use same sampler\",\"hr_scheduler\":\"Use same scheduler\"")))
                .doesNotContain("Hires sampler");
        // another schedule type for the second pass: the engine's combined hires sampler name
        assertThat(infotext(txt2img(hr + "\"sampler_name\":\"Euler a\",\"hr_sampler_name\":\"DPM++ 2M SDE\",\"hr_scheduler\":\"Karras\"")))
                .contains("Hires sampler: DPM++ 2M SDE Karras");
        assertThat(infotext(txt2img(hr + "\"sampler_name\":\"DPM++ 2M Karras\",\"hr_scheduler\":\"Exponential\"")))
                .contains("Sampler: DPM++ 2M, Schedule type: Karras", "Hires sampler: DPM++ 2M Exponential");
        String bad = "{\"prompt\":\"a\",\"steps\":1,\"width\":64,\"height\":64," + hr;
        error(S.post("/sdapi/v1/txt2img", bad + "\"hr_sampler_name\":\"DPM++ 9M\"}"), 422, "hr_sampler_name");
        error(S.post("/sdapi/v1/txt2img", bad + "\"hr_sampler_name\":\"DPM++ 9M\",\"hr_scheduler\":\"Karras\"}"), 422, "hr_sampler_name");
        error(S.post("/sdapi/v1/txt2img", bad + "\"hr_sampler_name\":\"Euler\",\"hr_scheduler\":\"Zigzag\"}"), 422, "hr_scheduler");
    }
}
