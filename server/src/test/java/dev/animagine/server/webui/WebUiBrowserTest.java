package dev.animagine.server.webui;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.animagine.AnimagineVersion;
import dev.animagine.core.animagine.ImageSize;
import dev.animagine.core.animagine.PromptBuilder;
import dev.animagine.core.animagine.PromptRequest;
import dev.animagine.core.animagine.PromptResult;
import dev.animagine.core.animagine.Rating;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web UI in a real browser (Debian's headless Chromium) against a real server on the
 * miniature model: every state is saved as a screenshot under target/webui-screenshots/, and every
 * test fails on any error in the browser's console. {@code -Danimagine.updateDocs=true} also writes
 * the README's docs/webui.png.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiBrowserTest extends WebUiPageTest {
    WebUiBrowserTest() {
        super("webui-outputs", Duration.ofSeconds(60));
    }

    @Test
    @Order(1)
    void animagineControlsBuildTheFinalPromptShownWithLintAndTokenCounts() throws Exception {
        open();
        type("prompt", "1girl, solo, smile, ganyu (genshin impact)");
        type("negative", "lowres");
        select("anim-version", "3.1");
        select("anim-rating", "general");
        type("anim-year", "2024");
        type("anim-character", "hatsune miku");
        type("anim-series", "vocaloid");
        setSize(64, 64);

        PromptResult expected = new PromptBuilder().build(PromptRequest.builder()
                .tags("1girl, solo, smile, ganyu (genshin impact)").negative("lowres").version(AnimagineVersion.V3_1)
                .rating(Rating.GENERAL).year(2024).character("hatsune miku").series("vocaloid").size(new ImageSize(64, 64)).build());
        waitFor("the final prompts", () -> text("final-prompt").equals(expected.prompt()) && text("final-negative").equals(expected.negativePrompt()));
        assertThat(text("prompt-tokens")).matches("\\d+/(75|150|225|300)");
        assertThat(tokenCount("prompt-tokens")).isGreaterThan(10);
        assertThat(tokenCount("negative-tokens")).isGreaterThan(1);
        // the custom 64x64 size is outside the nine trained ones: the page says so, and so does the linter
        assertThat(browser.driver.findElement(By.id("size-warning")).isDisplayed()).isTrue();
        List<String> lint = texts("#lint li");
        assertThat(lint).as("lint warnings").isNotEmpty();
        for (var w : expected.warnings()) {
            if (!w.isNote()) assertThat(lint).anyMatch(l -> l.equals(w.message()));
        }
        browser.screenshot("01-prompt-builder");

        click("anim-quality");
        click("anim-default-negative");
        PromptResult bare = new PromptBuilder().build(PromptRequest.builder()
                .tags("1girl, solo, smile, ganyu (genshin impact)").negative("lowres").version(AnimagineVersion.V3_1)
                .rating(Rating.GENERAL).year(2024).character("hatsune miku").series("vocaloid").size(new ImageSize(64, 64))
                .quality(false).defaultNegative(false).build());
        waitFor("the final prompts without quality tags and default negative",
                () -> text("final-prompt").equals(bare.prompt()) && text("final-negative").equals(bare.negativePrompt()));
        assertThat(bare.prompt()).isNotEqualTo(expected.prompt());
        assertThat(bare.negativePrompt()).isEqualTo("lowres");

        // a trained size from the aspect picker clears the size warning
        browser.driver.findElement(By.cssSelector(".aspect[data-width='1216'][data-height='832']")).click();
        assertThat(value("width")).isEqualTo("1216");
        assertThat(value("height")).isEqualTo("832");
        assertThat(browser.driver.findElement(By.id("size-warning")).isDisplayed()).isFalse();
    }

    @Test
    @Order(2)
    void generateShowsProgressThenTheImageWithItsInfotext() throws Exception {
        open();
        type("prompt", "1girl, solo");
        click("anim-enabled");
        waitFor("the verbatim preview", () -> text("final-prompt").equals("1girl, solo"));
        setSize(64, 64);
        type("steps", "3");
        type("seed", "1234");
        recordProgress();
        // Ctrl+Enter generates, as in A1111
        browser.driver.findElement(By.id("prompt")).sendKeys(Keys.chord(Keys.CONTROL, Keys.ENTER));
        waitFor("the image in the history", () -> count("#gallery .thumb") == 1);
        waitFor("the infotext", () -> text("viewer-infotext").contains("Steps: 3"));
        String infotext = text("viewer-infotext");
        assertThat(infotext).startsWith("1girl, solo").contains("Seed: 1234").contains("Size: 64x64");
        @SuppressWarnings("unchecked")
        List<String> progress = (List<String>) browser.js("return window.__progress;");
        assertThat(progress).as("progress texts seen").anyMatch(t -> t.matches("Step [123]/3.*"));
        assertThat(progress).as("an ETA while sampling").anyMatch(t -> t.contains("ETA"));
        assertThat((Boolean) browser.js("return window.__previews > 0;")).as("a live preview image was shown").isTrue();
        String src = browser.driver.findElement(By.id("viewer-image")).getDomProperty("src");
        assertThat(src).contains("/api/v1/images/");
        assertThat((Long) browser.js("return document.getElementById('viewer-image').naturalWidth;")).isEqualTo(64L);
        assertThat(browser.driver.findElement(By.id("download")).getDomAttribute("download")).endsWith(".png");
        @SuppressWarnings("unchecked")
        List<String> loaded = (List<String>) browser.js("return performance.getEntriesByType('resource').map((e) => e.name);");
        assertThat(loaded).as("resources the page loaded").isNotEmpty()
                .allMatch(url -> url.startsWith(server.url() + "/") || url.startsWith("data:"), "served by the server itself");
        browser.screenshot("02-generated");
    }

    @Test
    @Order(3)
    void queuedJobIsCancelledFromTheQueuePanelAndTheRunningJobSurvivesAReload() throws Exception {
        open();
        type("prompt", "1girl, long job");
        setSize(256, 256);
        type("steps", "40");
        type("batch-count", "16");
        click("generate");
        waitFor("the long job running", () -> count("#queue .job.running") == 1);
        type("prompt", "1girl, queued job");
        setSize(64, 64);
        type("steps", "2");
        type("batch-count", "1");
        click("generate");
        waitFor("the second job waiting", () -> count("#queue .job[data-state='waiting']") == 1);
        browser.screenshot("03-queue");
        WebElement waiting = browser.driver.findElement(By.cssSelector("#queue .job[data-state='waiting']"));
        String waitingId = waiting.getDomAttribute("data-id");
        waiting.findElement(By.cssSelector("button.cancel")).click();
        waitFor("the waiting job gone from the queue", () -> count("#queue .job[data-state='waiting']") == 0);
        assertThat(job(waitingId).path("state").asText()).isEqualTo("cancelled");

        String runningId = browser.driver.findElement(By.cssSelector("#queue .job.running")).getDomAttribute("data-id");
        browser.driver.navigate().refresh();
        waitReady();
        waitFor("the running job's progress after the reload", () -> text("progress-text").matches("Step \\d+/40.*"));
        browser.screenshot("04-progress-after-reload");
        click("cancel-current");
        waitFor("the running job cancelled", () -> "cancelled".equals(job(runningId).path("state").asText()));
        waitFor("the progress hidden", () -> !browser.driver.findElement(By.id("progress")).isDisplayed());
        waitFor("an empty queue", () -> count("#queue .job") == 0);
    }

    @Test
    @Order(4)
    void reuseLoadsTheParametersOfTheSelectedImage() throws Exception {
        ensureImage();
        browser.driver.findElement(By.cssSelector("#gallery .thumb")).click();
        String infotext = text("viewer-infotext");
        type("prompt", "something else");
        type("steps", "9");
        type("seed", "77");
        setSize(128, 96);
        click("reuse-all");
        assertThat(value("prompt")).isEqualTo(infotext.substring(0, infotext.indexOf('\n')));
        assertThat(value("steps")).isEqualTo("3");
        assertThat(value("seed")).isEqualTo("1234");
        assertThat(value("width")).isEqualTo("64");
        assertThat(value("height")).isEqualTo("64");
        assertThat(checked("anim-enabled")).as("the builder adds nothing to a prompt read from an image").isFalse();
        waitFor("the final prompt", () -> text("final-prompt").equals(value("prompt")));
        click("seed-random");
        assertThat(value("seed")).isEqualTo("-1");
        click("reuse-seed");
        assertThat(value("seed")).isEqualTo("1234");
        type("seed", "5");
        click("seed-reuse");
        assertThat(value("seed")).isEqualTo("1234");
        browser.screenshot("05-reused");
    }

    @Test
    @Order(5)
    void droppedPngParametersAreReadAndLoaded() throws Exception {
        ensureImage();
        String url = browser.driver.findElement(By.id("viewer-image")).getDomProperty("src");
        byte[] ours = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
        type("steps", "11");
        type("seed", "8");
        drop("ours.png", ours);
        waitFor("the PNG dialog", () -> browser.driver.findElement(By.id("png-dialog")).isDisplayed());
        assertThat(text("png-text")).contains("Steps: 3").contains("Seed: 1234");
        browser.screenshot("06-png-dropped");
        click("png-load");
        assertThat(value("steps")).isEqualTo("3");
        assertThat(value("seed")).isEqualTo("1234");

        // the Animagine space stores JSON in the same chunk, with an old combined sampler name and its upscaler
        String space = "{\"prompt\": \"1girl, arima kana, oshi no ko, masterpiece\", \"negative_prompt\": \"lowres\", "
                + "\"resolution\": \"832 x 1216\", \"guidance_scale\": 7, \"num_inference_steps\": 28, \"seed\": 42, "
                + "\"sampler\": \"DPM++ 2M Karras\", \"sdxl_style\": \"(None)\", \"add_quality_tags\": true, "
                + "\"use_upscaler\": {\"upscale_method\": \"nearest-exact\", \"upscaler_strength\": 0.55, \"upscale_by\": 1.5}}";
        drop("space.png", TestPngs.withText(ours, "parameters", space));
        waitFor("the PNG dialog", () -> browser.driver.findElement(By.id("png-dialog")).isDisplayed());
        click("png-load");
        assertThat(value("prompt")).isEqualTo("1girl, arima kana, oshi no ko, masterpiece");
        assertThat(value("negative")).isEqualTo("lowres");
        assertThat(value("steps")).isEqualTo("28");
        assertThat(value("cfg")).isEqualTo("7");
        assertThat(value("seed")).isEqualTo("42");
        assertThat(value("width")).isEqualTo("832");
        assertThat(value("height")).isEqualTo("1216");
        assertThat(new Select(browser.driver.findElement(By.id("sampler"))).getFirstSelectedOption().getText()).isEqualTo("DPM++ 2M");
        assertThat(new Select(browser.driver.findElement(By.id("scheduler"))).getFirstSelectedOption().getText()).isEqualTo("Karras");
        assertThat(checked("hr-enabled")).isTrue();
        assertThat(value("hr-scale")).isEqualTo("1.5");
        assertThat(value("hr-denoise")).isEqualTo("0.55");
        assertThat(value("hr-upscaler")).isEqualTo("Latent (nearest-exact)");
        assertThat(checked("anim-enabled")).as("the builder adds nothing to a prompt read from an image").isFalse();
        waitFor("the loaded prompt as the final prompt", () -> text("final-prompt").equals("1girl, arima kana, oshi no ko, masterpiece"));
        browser.screenshot("07-space-png-loaded");

        // a sampler and a schedule type beyond diffusers' five: the server lists all of A1111's the engine has
        drop("a1111.png", TestPngs.withText(ours, "parameters",
                "1girl\nSteps: 20, Sampler: DPM++ 2M SDE, Schedule type: Align Your Steps, CFG scale: 6, Seed: 5, Size: 64x64"));
        waitFor("the PNG dialog", () -> browser.driver.findElement(By.id("png-dialog")).isDisplayed());
        click("png-load");
        assertThat(new Select(browser.driver.findElement(By.id("sampler"))).getFirstSelectedOption().getText()).isEqualTo("DPM++ 2M SDE");
        assertThat(new Select(browser.driver.findElement(By.id("scheduler"))).getFirstSelectedOption().getText()).isEqualTo("Align Your Steps");
    }

    @Test
    @Order(6)
    void loraFromTheListIsAddedWithItsWeightAndTrainingTags() throws Exception {
        WebUiTestServer.LoraFixture lora = WebUiTestServer.loraWithTags();
        open();
        browser.driver.findElement(By.cssSelector("#lora-group > summary")).click();
        type("lora-search", lora.name().substring(0, Math.min(6, lora.name().length())));
        By item = By.cssSelector("#lora-list .lora[data-name='" + lora.name() + "']");
        waitFor("the LoRA in the list", () -> !browser.driver.findElements(item).isEmpty());
        type("lora-search", "no such lora here");
        waitFor("the list filtered", () -> browser.driver.findElements(item).isEmpty());
        type("lora-search", lora.name());
        waitFor("the LoRA in the list", () -> !browser.driver.findElements(item).isEmpty());
        type("lora-weight", "0.8");
        type("prompt", "1girl");
        browser.driver.findElement(item).findElement(By.cssSelector(".lora-add")).click();
        assertThat(value("prompt")).isEqualTo("1girl, <lora:" + lora.name() + ":0.8>");
        browser.screenshot("08-lora");

        assertThat(server.listsLoraMetadata()).as("/sdapi/v1/loras carries ss_tag_frequency metadata").isTrue();
        List<String> tags = browser.driver.findElement(item).findElements(By.cssSelector(".chip")).stream().map(WebElement::getText).toList();
        assertThat(tags).as("training tags, most frequent first").startsWith(lora.topTag());
        browser.driver.findElement(item).findElement(By.cssSelector(".chip")).click();
        assertThat(value("prompt")).isEqualTo("1girl, <lora:" + lora.name() + ":0.8>, " + lora.topTag());
    }

    @Test
    @Order(7)
    void maskIsPaintedErasedAndInvertedThenInpainted() throws Exception {
        ensureImage();
        int before = count("#gallery .thumb");
        // an uploaded file becomes the img2img source, and its size the output size
        String url = browser.driver.findElement(By.id("viewer-image")).getDomProperty("src");
        Path upload = TARGET.resolve("webui-upload.png").toAbsolutePath();
        Files.write(upload, http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray()).body());
        setSize(832, 1216);
        click("tab-img2img");
        browser.driver.findElement(By.id("init-file")).sendKeys(upload.toString());
        waitFor("the uploaded source image", () -> browser.driver.findElement(By.id("init-canvas")).isDisplayed());
        assertThat((Long) browser.js("return document.getElementById('init-canvas').width;")).isEqualTo(64L);
        assertThat(value("width")).isEqualTo("64");
        assertThat(browser.driver.findElement(By.id("mask-tools")).isDisplayed()).as("no mask tools in img2img").isFalse();
        click("send-inpaint");
        WebElement mask = browser.driver.findElement(By.id("mask-canvas"));
        waitFor("the mask canvas", mask::isDisplayed);
        assertThat(maskPixels()).isZero();
        browser.js("const s = document.getElementById('brush-size'); s.value = '40'; s.dispatchEvent(new Event('input'));");
        new Actions(browser.driver).moveToElement(mask, -60, 0).clickAndHold().moveByOffset(120, 0).release().perform();
        long painted = maskPixels();
        assertThat(painted).as("painted mask pixels").isGreaterThan(0).isLessThan(64 * 64);
        click("eraser");
        new Actions(browser.driver).moveToElement(mask, 0, 0).clickAndHold().moveByOffset(1, 0).release().perform();
        long erased = maskPixels();
        assertThat(erased).as("mask pixels after erasing").isLessThan(painted);
        click("eraser");
        click("mask-invert");
        assertThat(maskPixels()).isEqualTo(64 * 64 - erased);
        click("mask-invert");
        assertThat(maskPixels()).isEqualTo(erased);
        browser.screenshot("09-mask-painted");

        assertThat(server.supportsInpainting()).as("the server inpaints").isTrue();
        type("steps", "2");
        type("denoise", "0.6");
        click("generate");
        waitFor("the inpainted image", () -> count("#gallery .thumb") == before + 1);
        waitFor("the infotext", () -> text("viewer-infotext").contains("Denoising strength"));
        browser.screenshot("09-inpainted");
    }

    @Test
    @Order(8)
    void animagineUpscalePresetSetsTheSpacesHiresFixThenGeneratesAsANativeJob() throws Exception {
        open();
        type("prompt", "1girl, solo");
        click("anim-enabled");
        setSize(64, 64);
        type("steps", "2");
        type("seed", "99");
        browser.driver.findElement(By.cssSelector("#hires-group > summary")).click();
        click("hr-preset");
        assertThat(checked("hr-enabled")).isTrue();
        assertThat(value("hr-scale")).isEqualTo("1.5");
        assertThat(value("hr-upscaler")).isEqualTo("Latent (nearest-exact)");
        assertThat(value("hr-denoise")).isEqualTo("0.55");
        browser.screenshot("10-hires-preset");

        assertThat(server.supportsHiresFix()).as("the server runs the hires fix").isTrue();
        int before = count("#gallery .thumb");
        recordProgress();
        click("generate");
        waitFor("the upscaled image", () -> count("#gallery .thumb") == before + 1);
        waitFor("the infotext", () -> text("viewer-infotext").contains("Hires upscale: 1.5"));
        assertThat((Long) browser.js("return document.getElementById('viewer-image').naturalWidth;")).isEqualTo(96L);
        browser.screenshot("10-hires-generated");
    }

    @Test
    @Order(9)
    void phoneWidthShowsOneColumnWithoutSidewaysScrolling() throws Exception {
        browser.resize(390, 844);
        try {
            open();
            Map<?, ?> layout = (Map<?, ?>) browser.js("""
                    const inputs = document.querySelector('.inputs').getBoundingClientRect();
                    const outputs = document.querySelector('.outputs').getBoundingClientRect();
                    return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
                            inputsRight: inputs.right, outputsTop: outputs.top, inputsBottom: inputs.bottom};""");
            assertThat(((Number) layout.get("scroll")).doubleValue()).as("page width").isLessThanOrEqualTo(((Number) layout.get("inner")).doubleValue());
            assertThat(((Number) layout.get("inputsRight")).doubleValue()).isLessThanOrEqualTo(((Number) layout.get("inner")).doubleValue());
            assertThat(((Number) layout.get("outputsTop")).doubleValue()).as("results below the parameters")
                    .isGreaterThanOrEqualTo(((Number) layout.get("inputsBottom")).doubleValue());
            assertThat(browser.driver.findElement(By.id("generate")).isDisplayed()).isTrue();
            assertThat(browser.driver.findElement(By.id("prompt")).getRect().getWidth()).isGreaterThan(300);
            browser.screenshot("11-phone");
        } finally {
            browser.resize(1400, 1100);
        }
    }

    @Test
    @Order(10)
    void screenshotForTheReadme() throws Exception {
        ensureImage();
        browser.resize(1400, 1000);
        type("prompt", "1girl, solo, smile, looking at viewer, upper body");
        if (!checked("anim-enabled")) click("anim-enabled");
        type("anim-character", "hatsune miku");
        type("anim-series", "vocaloid");
        select("anim-rating", "general");
        browser.driver.findElement(By.cssSelector(".aspect[data-width='832'][data-height='1216']")).click();
        waitFor("the final prompt", () -> text("final-prompt").contains("hatsune miku"));
        browser.driver.findElement(By.cssSelector("#gallery .thumb")).click();
        browser.js("window.scrollTo(0, 0);");
        Path shot = browser.screenshot("webui");
        if (Boolean.getBoolean("animagine.updateDocs")) {
            Files.copy(shot, Path.of("..", "docs", "webui.png"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * The page's reader of dropped PNG parameters (js/infotext.js), run in the browser on the infotext
     * corpus of core's test resources (A1111, Forge, civitai, ours, the Animagine space's JSON): the
     * fields the page loads must equal the corpus's hand-written expectations.
     */
    @Test
    @Order(11)
    void pngParametersReaderAgreesWithTheInfotextCorpus() throws Exception {
        String corpus = "/dev/animagine/core/infotext/corpus/";
        var index = getClass().getResource(corpus + "index.json");
        Assumptions.assumeTrue(index != null, "core's infotext corpus is not on the test classpath (it comes with the infotext branch)");
        open();
        int cases = 0;
        int checked = 0;
        for (JsonNode c : JSON.readTree(index).path("cases")) {
            JsonNode expect = c.path("expect");
            if (expect.path("source").asText().equals("COMFYUI")) continue; // a node graph, not parameters text
            String text;
            try (var in = getClass().getResourceAsStream(corpus + c.path("file").asText())) {
                text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            Object parsed = browser.driver.executeAsyncScript("""
                    const done = arguments[arguments.length - 1];
                    import('/js/infotext.js').then((m) => {
                      const p = m.parseParameters(arguments[0]);
                      done(p && {prompt: p.prompt, negativePrompt: p.negativePrompt, steps: p.steps ?? null, sampler: p.sampler ?? null,
                                 cfgScale: p.cfgScale ?? null, seed: p.seed ?? null, scheduleType: p.scheduler ?? null,
                                 size: p.width ? {width: p.width, height: p.height} : null});
                    });""", text);
            JsonNode got = JSON.valueToTree(parsed);
            cases++;
            for (String field : List.of("prompt", "negativePrompt", "steps", "sampler", "cfgScale", "seed", "scheduleType", "size")) {
                if (!expect.has(field)) continue;
                checked++;
                JsonNode e = expect.get(field);
                JsonNode g = got.path(field);
                String where = c.path("file").asText() + " " + field;
                if (e.isNumber()) {
                    assertThat(g.isNumber()).as(where + " is a number: " + g).isTrue();
                    assertThat(g.asDouble()).as(where).isEqualTo(e.asDouble());
                } else if (e.isObject()) {
                    for (var it = e.fieldNames(); it.hasNext(); ) {
                        String key = it.next();
                        assertThat(g.path(key).asText()).as(where + "." + key).isEqualTo(e.get(key).asText());
                    }
                } else assertThat(g.isMissingNode() ? "null" : g.toString()).as(where).isEqualTo(e.toString());
            }
        }
        assertThat(cases).as("corpus cases").isGreaterThan(0);
        assertThat(checked).as("fields checked").isGreaterThan(cases);
    }

    // ---- helpers

    /** Generates one 64x64 image when the history is empty (tests run alone still have one). */
    private void ensureImage() throws Exception {
        open();
        if (count("#gallery .thumb") == 0) generateShowsProgressThenTheImageWithItsInfotext();
    }

    private void recordProgress() {
        browser.js("""
                window.__progress = [];
                window.__previews = 0;
                const text = document.getElementById('progress-text');
                new MutationObserver(() => window.__progress.push(text.textContent))
                    .observe(text, {childList: true, characterData: true, subtree: true});
                new MutationObserver(() => { if (document.getElementById('progress-preview').getAttribute('src')) window.__previews++; })
                    .observe(document.getElementById('progress-preview'), {attributes: true, attributeFilter: ['src']});""");
    }

    private long maskPixels() {
        return (Long) browser.js("""
                const c = document.getElementById('mask-canvas');
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let n = 0;
                for (let i = 3; i < d.length; i += 4) if (d[i] > 127) n++;
                return n;""");
    }

    private void setSize(int width, int height) {
        type("width", Integer.toString(width));
        type("height", Integer.toString(height));
    }

    private int tokenCount(String id) {
        return Integer.parseInt(text(id).split("/")[0]);
    }
}
